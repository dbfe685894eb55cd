// Parser of maxq1061: URIs: "maxq1061:id=0x0101" and "maxq1061:id=0x0201;type=cert".
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace maxq::provider {

struct MaxqUri {
  enum class Type { Key, Cert };
  uint16_t id = 0;
  Type type = Type::Key;
};

inline constexpr const char* kUriForm =
    "maxq1061:id=0x0101 (a key pair) or maxq1061:id=0x0201;type=cert (a certificate)";

// nullopt with `error` set when `uri` is malformed.
std::optional<MaxqUri> parse_maxq_uri(const std::string& uri, std::string& error);

}  // namespace maxq::provider
