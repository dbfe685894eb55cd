// Parser of maxq1061: URIs, the names of chip objects for OSSL_STORE:
//   maxq1061:id=0x0101            the object 0x0101, loaded as what it holds
//   maxq1061:id=0x0101;type=key   ... and it must be a key (pair or public key)
//   maxq1061:id=0x0201;type=cert  ... and it must be a certificate
// Grammar (strict: the URI comes from users and config files):
//   uri   = scheme ":" attr *(";" attr)     scheme "maxq1061", any case
//   attr  = "id=" id / "type=" ("key" / "cert"); each at most once, id required
//   id    = "0x" 1*4HEXDIG / decimal without a leading zero; 1..65535
// Decimal ids are accepted (maxq1061:id=257 is 0x0101), but "0101" is refused
// as ambiguous (hex or decimal?) instead of being guessed: the one id rule of
// every layer, wire/object_id.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace maxq::provider {

struct MaxqUri {
  // Any: whatever the object on the chip holds (a key or a certificate).
  enum class Type { Any, Key, Cert };
  uint16_t id = 0;
  Type type = Type::Any;
};

inline constexpr std::string_view kUriScheme = "maxq1061";
inline constexpr size_t kMaxUriLength = 256;
inline constexpr const char* kUriForm =
    "maxq1061:id=0x0101 (a key pair) or maxq1061:id=0x0201;type=cert (a certificate)";

// The parsed URI, or nullopt with `error` saying what is wrong (without the
// URI itself, which the caller names).
std::optional<MaxqUri> parse_maxq_uri(std::string_view uri, std::string& error);

// Canonical text form: "maxq1061:id=0x0101", with ";type=..." unless Any.
std::string format_maxq_uri(const MaxqUri& uri);

}  // namespace maxq::provider
