// The key-reference file: a PEM block "MAXQ1061 KEY REFERENCE" naming the chip
// (serial), the object id, the curve and the public point. No secret inside.
// Body (big-endian, base64 in the PEM): magic "MQKR", version u8 (1),
// serial [24], object id u16, curve u8, point length u16, point (04 || X || Y).
#pragma once

#include <optional>
#include <string>

#include "provider/provider_context.h"
#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::provider {

inline constexpr const char* kKeyReferenceLabel = "MAXQ1061 KEY REFERENCE";

struct KeyReference {
  ChipSerial serial{};
  uint16_t object_id = 0;
  wire::CurveInfo curve{};
  Bytes public_point;  // 04 || X || Y
};

std::string encode_key_reference_pem(const KeyReference& ref);
// The binary body (what OpenSSL's PEM decoder hands on as "DER"); nullopt when
// it does not start with the magic (not ours). Throws std::runtime_error when
// it is ours but damaged.
std::optional<KeyReference> decode_key_reference_body(ByteView body);
// The DER body of the first "MAXQ1061 KEY REFERENCE" block of `text`; nullopt
// when there is none. Throws std::runtime_error when the block is damaged.
std::optional<Bytes> key_reference_pem_body(const std::string& text);
// The first "MAXQ1061 KEY REFERENCE" block of `text`; nullopt when there is
// none (not our file). Throws std::runtime_error when the block is damaged.
std::optional<KeyReference> decode_key_reference_pem(const std::string& text);

}  // namespace maxq::provider
