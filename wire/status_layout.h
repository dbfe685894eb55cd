// Get status 0xF2 (PUBLIC, §4.2 `MXQ_GetStatus`): no request data; a 93-byte
// answer on MAXQ106x parts.
#pragma once

#include <array>
#include <cstdint>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::wire {

inline constexpr size_t kConfigBlockBytes = 36;    // 18 configuration words
inline constexpr size_t kSysConfigBlockBytes = 8;  // 4 system configuration words
inline constexpr size_t kStatusPayloadBytes = kProductNameBytes + 4 + kSerialBytes + 1 + 2 + 2 +
                                              kConfigBlockBytes + kSysConfigBlockBytes;  // 93

struct StatusPayload {
  std::array<uint8_t, kProductNameBytes> product{};  // ASCII, NUL padded (MODELLED padding)
  uint8_t firmware_major = 0;
  uint8_t firmware_minor = 0;
  uint8_t firmware_revision = 0;
  uint8_t hardware_code = 0;  // 0xC3 for silicon rev C3
  ChipSerial serial{};
  uint8_t lifecycle = 0;
  uint16_t free_memory = 0;   // bytes, u16be
  uint16_t total_memory = 0;  // bytes, u16be
  // Words copied raw, low byte first as the SDK's little-endian struct sees them.
  std::array<uint8_t, kConfigBlockBytes> config{};
  std::array<uint8_t, kSysConfigBlockBytes> sysconfig{};
};

Bytes encode_status(const StatusPayload& s);
// Throws MalformedPayload unless `in` is exactly kStatusPayloadBytes long.
StatusPayload decode_status(ByteView in);

// A configuration word at byte `offset` of a block (low byte first).
uint16_t config_word(ByteView block, size_t offset);

// Offsets of the configuration words the model reports (§4.2 table).
inline constexpr size_t kConfigI2cAddress = 0;
inline constexpr size_t kConfigSecPolicyNeedHost = 12;
inline constexpr size_t kConfigTerminatedEnable = 18;
inline constexpr size_t kConfigTlsMasterSecretOutput = 30;
inline constexpr size_t kSysConfigAllowFactoryReset = 6;
inline constexpr uint16_t kConfigEnabled = 0x55AA;
inline constexpr uint16_t kConfigDisabled = 0xAA55;

// MODELLED: the configuration the model reports (the documented defaults:
// I2C address 0x60, HOST condition not required, TERMINATED not allowed, TLS
// master secret output allowed; factory reset disabled; the rest zero).
std::array<uint8_t, kConfigBlockBytes> default_config_block();
std::array<uint8_t, kSysConfigBlockBytes> default_sysconfig_block();

}  // namespace maxq::wire
