#include "provider/maxq_uri.h"

#include <cerrno>
#include <cstdlib>

namespace maxq::provider {

std::optional<MaxqUri> parse_maxq_uri(const std::string& uri, std::string& error) {
  const std::string scheme = "maxq1061:";
  if (uri.compare(0, scheme.size(), scheme) != 0) {
    error = "not a maxq1061: URI";
    return std::nullopt;
  }
  MaxqUri out;
  bool have_id = false;
  std::string rest = uri.substr(scheme.size());
  size_t pos = 0;
  while (pos <= rest.size() && !rest.empty()) {
    size_t end = rest.find(';', pos);
    std::string part = rest.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    size_t eq = part.find('=');
    std::string key = part.substr(0, eq), value = eq == std::string::npos ? "" : part.substr(eq + 1);
    if (key == "id" && eq != std::string::npos) {
      char* stop = nullptr;
      errno = 0;
      unsigned long v = std::strtoul(value.c_str(), &stop, 0);
      if (value.empty() || *stop || errno || v == 0 || v > 0xFFFF || value[0] == '-') {
        error = "bad object id '" + value + "' (a 16-bit number such as 0x0101)";
        return std::nullopt;
      }
      out.id = static_cast<uint16_t>(v);
      have_id = true;
    } else if (key == "type" && (value == "cert" || value == "key")) {
      out.type = value == "cert" ? MaxqUri::Type::Cert : MaxqUri::Type::Key;
    } else {
      error = "unknown attribute '" + part + "'";
      return std::nullopt;
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  if (!have_id) {
    error = "no object id";
    return std::nullopt;
  }
  return out;
}

}  // namespace maxq::provider
