// Commands about the chip itself: ping, get status, get random.
#include <algorithm>

#include "simulator/chip_core.h"
#include "wire/admin_layout.h"
#include "wire/status_layout.h"

namespace maxq::sim {

using wire::Status;

Reply ChipCore::ping(Transaction&, ByteView p) {
  return Reply::ok(p.to_bytes());
}

Reply ChipCore::get_status(Transaction& t, ByteView p) {
  if (!p.empty()) return Reply::error(Status::WrongLength);
  wire::StatusPayload s;
  std::copy(wire::kProductName.begin(), wire::kProductName.end(), s.product.begin());
  s.firmware_major = wire::kFirmwareVersion[0];
  s.firmware_minor = wire::kFirmwareVersion[1];
  s.firmware_revision = wire::kFirmwareVersion[2];
  s.hardware_code = wire::kHardwareCode;
  s.serial = t.state.serial;
  s.lifecycle = static_cast<uint8_t>(t.state.lifecycle);
  s.free_memory = static_cast<uint16_t>(t.objects.free_storage());
  s.total_memory = static_cast<uint16_t>(wire::kSecureStorageBytes);
  s.config = wire::default_config_block();
  s.sysconfig = wire::default_sysconfig_block();
  return Reply::ok(wire::encode_status(s));
}

// MODELLED: get random 0xC9 in its MAXQ108x form (length u16 -> bytes); the
// SDK never sends it to a MAXQ106x, whose random numbers come from 0xC7.
Reply ChipCore::get_random(Transaction&, ByteView p) {
  uint16_t length = wire::decode_challenge_request(p);  // the same layout
  if (length == 0 || length > wire::kMaxChallenge) return Reply::error(Status::WrongLength);
  Bytes out(length);
  crypto_.random(out.data(), out.size());
  return Reply::ok(std::move(out));
}

}  // namespace maxq::sim
