#include "wire/status_layout.h"

#include <algorithm>

namespace maxq::wire {
namespace {

template <size_t N>
void put_word(std::array<uint8_t, N>& block, size_t offset, uint16_t v) {
  block[offset] = static_cast<uint8_t>(v);
  block[offset + 1] = static_cast<uint8_t>(v >> 8);
}

template <size_t N>
void copy_into(std::array<uint8_t, N>& out, ByteView in) {
  std::copy(in.begin(), in.end(), out.begin());
}

}  // namespace

Bytes encode_status(const StatusPayload& s) {
  PayloadWriter w;
  w.bytes(s.product).u8(s.firmware_major).u8(s.firmware_minor).u8(s.firmware_revision);
  w.u8(s.hardware_code).bytes(s.serial).u8(s.lifecycle);
  w.u16(s.free_memory).u16(s.total_memory).bytes(s.config).bytes(s.sysconfig);
  return w.take();
}

StatusPayload decode_status(ByteView in) {
  PayloadReader r(in, "get status");
  StatusPayload s;
  copy_into(s.product, r.bytes(kProductNameBytes));
  s.firmware_major = r.u8();
  s.firmware_minor = r.u8();
  s.firmware_revision = r.u8();
  s.hardware_code = r.u8();
  copy_into(s.serial, r.bytes(kSerialBytes));
  s.lifecycle = r.u8();
  s.free_memory = r.u16();
  s.total_memory = r.u16();
  copy_into(s.config, r.bytes(kConfigBlockBytes));
  copy_into(s.sysconfig, r.bytes(kSysConfigBlockBytes));
  r.expect_end();
  return s;
}

uint16_t config_word(ByteView block, size_t offset) {
  if (offset + 1 >= block.size()) return 0;
  return static_cast<uint16_t>(block[offset] | block[offset + 1] << 8);
}

std::array<uint8_t, kConfigBlockBytes> default_config_block() {
  std::array<uint8_t, kConfigBlockBytes> b{};
  put_word(b, kConfigI2cAddress, 0x60);
  put_word(b, kConfigSecPolicyNeedHost, kConfigDisabled);
  put_word(b, kConfigTerminatedEnable, kConfigDisabled);
  put_word(b, kConfigTlsMasterSecretOutput, kConfigEnabled);
  return b;
}

std::array<uint8_t, kSysConfigBlockBytes> default_sysconfig_block() {
  std::array<uint8_t, kSysConfigBlockBytes> b{};
  put_word(b, kSysConfigAllowFactoryReset, kConfigDisabled);
  return b;
}

}  // namespace maxq::wire
