#include "provider/maxq_uri.h"

#include <cstdio>

namespace maxq::provider {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Printable form of untrusted text for an error message: control and
// non-ASCII bytes become \xNN, and it is cut at 40 characters.
std::string printable(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 40; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}

std::optional<uint16_t> parse_id(std::string_view v, std::string& error) {
  const std::string bad = "bad object id '" + printable(v) + "': ";
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
        error = bad + "not a hex number";
        return std::nullopt;
      }
      value = value << 4 | static_cast<uint32_t>(d);
    }
  } else {
    if (v.empty() || v.size() > 5) {
      error = bad + "expected 0x and 1 to 4 hex digits, or a decimal number up to 65535";
      return std::nullopt;
    }
    for (char c : v) {
      if (c < '0' || c > '9') {
        error = bad + "expected 0x and 1 to 4 hex digits, or a decimal number up to 65535";
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
  return static_cast<uint16_t>(value);
}

}  // namespace

std::optional<MaxqUri> parse_maxq_uri(std::string_view uri, std::string& error) {
  if (uri.size() > kMaxUriLength) {
    error = "longer than " + std::to_string(kMaxUriLength) + " characters";
    return std::nullopt;
  }
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || !equals_ignoring_case(uri.substr(0, colon), kUriScheme)) {
    error = "not a maxq1061: URI";
    return std::nullopt;
  }
  std::string_view rest = uri.substr(colon + 1);
  if (rest.empty()) {
    error = "no object id";
    return std::nullopt;
  }
  MaxqUri out;
  bool have_id = false, have_type = false;
  while (true) {
    size_t semi = rest.find(';');
    std::string_view attr = rest.substr(0, semi);
    size_t eq = attr.find('=');
    std::string_view name = attr.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : attr.substr(eq + 1);
    if (attr.empty()) {
      error = "empty attribute (stray ';')";
      return std::nullopt;
    }
    if (eq == std::string_view::npos) {
      error = "attribute '" + printable(attr) + "' has no value (expected name=value)";
      return std::nullopt;
    }
    if (name == "id") {
      if (have_id) {
        error = "id given twice";
        return std::nullopt;
      }
      auto id = parse_id(value, error);
      if (!id) return std::nullopt;
      out.id = *id;
      have_id = true;
    } else if (name == "type") {
      if (have_type) {
        error = "type given twice";
        return std::nullopt;
      }
      if (value == "key") {
        out.type = MaxqUri::Type::Key;
      } else if (value == "cert") {
        out.type = MaxqUri::Type::Cert;
      } else {
        error = "unknown type '" + printable(value) + "' (expected type=key or type=cert)";
        return std::nullopt;
      }
      have_type = true;
    } else {
      error = "unknown attribute '" + printable(name) + "' (expected id= and optionally type=)";
      return std::nullopt;
    }
    if (semi == std::string_view::npos) break;
    rest = rest.substr(semi + 1);
  }
  if (!have_id) {
    error = "no object id";
    return std::nullopt;
  }
  return out;
}

std::string format_maxq_uri(const MaxqUri& uri) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "maxq1061:id=0x%04x%s", uri.id,
                uri.type == MaxqUri::Type::Cert  ? ";type=cert"
                : uri.type == MaxqUri::Type::Key ? ";type=key"
                                                 : "");
  return buf;
}

}  // namespace maxq::provider
