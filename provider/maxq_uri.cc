#include "provider/maxq_uri.h"

#include <cstdio>

#include "wire/object_id.h"

namespace maxq::provider {
namespace {

using wire::printable_text;

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
      error = "attribute '" + printable_text(attr) + "' has no value (expected name=value)";
      return std::nullopt;
    }
    if (name == "id") {
      if (have_id) {
        error = "id given twice";
        return std::nullopt;
      }
      auto id = wire::parse_object_id(value, error);
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
        error = "unknown type '" + printable_text(value) + "' (expected type=key or type=cert)";
        return std::nullopt;
      }
      have_type = true;
    } else {
      error =
          "unknown attribute '" + printable_text(name) + "' (expected id= and optionally type=)";
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
