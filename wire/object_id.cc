#include "wire/object_id.h"

#include <cstdio>

namespace maxq::wire {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr const char kAllowed[] =
    "0x and 1 to 4 hex digits (0x0101), or a decimal number up to 65535";

}  // namespace

bool is_reserved_object_id(uint32_t id) {
  return id == 0 || id == kKeyImportKeyId || id == kAdminKeyId ||
         (id >= kFirstTemporaryKeyId && id <= kLastTemporaryKeyId);
}

std::string reserved_object_id_error(std::string_view text) {
  char range[32];
  std::snprintf(range, sizeof range, "0x%04x..0x%04x", kFirstTemporaryKeyId, kLastTemporaryKeyId);
  return "object id '" + printable_text(text) + "' is reserved: 0x1000 and 0x1001 hold the " +
         "chip's key-import and admin keys, " + range +
         " are the temporary key slots; use another id from 0x0001..0xFFFF, such as 0x0101";
}

std::optional<uint16_t> parse_object_id(std::string_view v, std::string& error,
                                        bool for_new_object) {
  const std::string bad = "bad object id '" + printable_text(v) + "': ";
  uint32_t value = 0;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    std::string_view digits = v.substr(2);
    if (digits.size() > 4) {
      error = bad + "more than 4 hex digits (ids are 16-bit, 0x0001..0xFFFF)";
      return std::nullopt;
    }
    for (char c : digits) {
      int d = hex_digit(c);
      if (d < 0) {
        error = bad + "not a hex number; use " + kAllowed;
        return std::nullopt;
      }
      value = value << 4 | static_cast<uint32_t>(d);
    }
  } else {
    if (v.empty() || v.size() > 5) {
      error = bad + "expected " + kAllowed;
      return std::nullopt;
    }
    for (char c : v) {
      if (c < '0' || c > '9') {
        error = bad + "expected " + kAllowed;
        return std::nullopt;
      }
      value = value * 10 + static_cast<uint32_t>(c - '0');
    }
    if (v.size() > 1 && v[0] == '0') {
      error = bad + "a leading zero makes it ambiguous; write 0x" + std::string(v.substr(1)) +
              " for hex or drop the zero for decimal";
      return std::nullopt;
    }
  }
  if (value == 0 || value > 0xFFFF) {
    error = bad + "out of range (ids are 0x0001..0xFFFF)";
    return std::nullopt;
  }
  if (for_new_object && is_reserved_object_id(value)) {
    error = reserved_object_id_error(v);
    return std::nullopt;
  }
  return static_cast<uint16_t>(value);
}

std::string format_object_id(uint16_t id) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", id);
  return buf;
}

std::string printable_text(std::string_view s, size_t max) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace maxq::wire
