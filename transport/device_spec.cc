#include "transport/device_spec.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "transport/errors.h"

namespace maxq::transport {

const std::string* DeviceSpec::option(const std::string& key) const {
  for (const DeviceOption& o : options)
    if (o.key == key) return &o.value;
  return nullptr;
}

uint32_t parse_option_number(const std::string& key, const std::string& value) {
  char* end = nullptr;
  // strtoul alone would take " 5" and "-1" (wrapped): only digits (or 0x hex) here.
  if (value.empty() || !std::isdigit(static_cast<unsigned char>(value[0])))
    throw ConfigError("bad value '" + value + "' for " + key);
  errno = 0;
  unsigned long n = std::strtoul(value.c_str(), &end, 0);
  if (*end != '\0' || errno == ERANGE || n > 0xFFFFFFFFul)
    throw ConfigError("bad value '" + value + "' for " + key);
  return static_cast<uint32_t>(n);
}

uint32_t parse_spi_clock_hz(const std::string& value) {
  uint32_t hz = parse_option_number("spi-clock-hz", value);
  if (hz == 0 || hz > kMaxSpiClockHz)
    throw ConfigError("spi-clock-hz must be from 1 to 30000000 (the MPSSE maximum)");
  return hz;
}

}  // namespace maxq::transport
