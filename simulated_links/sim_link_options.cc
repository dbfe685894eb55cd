#include "simulated_links/sim_link_options.h"

#include <stdexcept>

#include "transport/errors.h"

namespace maxq::simulated_links {
namespace {

constexpr const char* kCommaNote = " (a sim state path cannot contain ',')";

}  // namespace

SimLinkOptions SimLinkOptions::from_spec(const transport::DeviceSpec& spec) {
  using transport::ConfigError;
  SimLinkOptions o;
  bool clock_given = false;
  std::string times_given;  // the chip-time options, as written
  for (const transport::DeviceOption& opt : spec.options) {
    const std::string& key = opt.key;
    if (key == "spi-clock-hz") {
      o.spi_clock_hz = transport::parse_spi_clock_hz(opt.value);
      clock_given = true;
    } else if (key == "latency") {
      if (opt.value == "off")
        o.modelled = false;
      else if (opt.value == "modelled")
        o.modelled = true;
      else
        throw ConfigError("latency must be off or modelled");
    } else if (key.size() > 3 && key.compare(key.size() - 3, 3, "-ms") == 0) {
      try {
        sim::set_chip_time(o.chip_times, key.substr(0, key.size() - 3), opt.value);
      } catch (const std::invalid_argument& e) {
        throw ConfigError(e.what());
      }
      times_given += (times_given.empty() ? "" : ",") + key + "=" + opt.value;
    } else {
      // A comma in a sim path reads as an option: say so rather than guess.
      throw ConfigError("unknown option '" + key + "'" + kCommaNote);
    }
  }
  if (clock_given && !o.modelled)
    throw ConfigError(
        "spi-clock-hz on a sim device needs latency=modelled (it clocks the model's bus)");
  if (!times_given.empty() && !o.modelled)
    throw ConfigError("chip times (" + times_given + ") on a sim device need latency=modelled");
  return o;
}

std::string SimLinkOptions::options_text() const {
  if (!modelled) return "";
  std::string out = ",latency=modelled";
  if (spi_clock_hz != sim::kDefaultSpiClockHz)
    out += ",spi-clock-hz=" + std::to_string(spi_clock_hz);
  std::string times = sim::format_chip_times(chip_times, "-ms");
  if (!times.empty()) out += "," + times;
  return out;
}

}  // namespace maxq::simulated_links
