#include "transport/device_spec.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <vector>

#include "broker/broker_protocol.h"
#include "simulator/chip.h"
#include "simulator/latency_model.h"
#include "transport/broker_link.h"
#include "transport/errors.h"
#include "transport/ftdi_link.h"
#include "transport/sim_bus.h"
#include "transport/spi_link.h"
#include "transport/unix_link.h"

namespace maxq::transport {
namespace {

constexpr uint32_t kMaxSpiClockHz = 30000000;  // FT232H MPSSE: 60 MHz / 2

[[noreturn]] void bad(const std::string& device, const std::string& why) {
  throw ConfigError(
      "device '" + device + "': " + why +
      ". Use sim:PATH[,latency=off|modelled][,spi-clock-hz=N][,sign-ms=T...] (simulated chip; "
      "PATH without commas), unix:PATH (simulator daemon), broker:PATH (maxq1061d) or "
      "ftdi:DESC[,spi-clock-hz=N][,ftdi-interface=A|B|C|D][,cs-pin=N] "
      "(e.g. ftdi:i:0x0403:0x6014)");
}

uint32_t parse_number(const std::string& device, const std::string& key, const std::string& v) {
  char* end = nullptr;
  // strtoul alone would take " 5" and "-1" (wrapped): only digits (or 0x hex) here.
  if (v.empty() || !std::isdigit(static_cast<unsigned char>(v[0])))
    bad(device, "bad value '" + v + "' for " + key);
  errno = 0;
  unsigned long n = std::strtoul(v.c_str(), &end, 0);
  if (*end != '\0' || errno == ERANGE || n > 0xFFFFFFFFul)
    bad(device, "bad value '" + v + "' for " + key);
  return static_cast<uint32_t>(n);
}

}  // namespace

DeviceSpec DeviceSpec::parse(const std::string& device) {
  DeviceSpec s;
  auto colon = device.find(':');
  if (colon == std::string::npos) bad(device, "missing the link type");
  std::string kind = device.substr(0, colon), rest = device.substr(colon + 1);
  if (kind == "sim")
    s.kind = Kind::Sim;
  else if (kind == "unix")
    s.kind = Kind::Unix;
  else if (kind == "ftdi")
    s.kind = Kind::Ftdi;
  else if (kind == "broker")
    s.kind = Kind::Broker;
  else
    bad(device, "unknown link type '" + kind + "'");
  if (s.kind == Kind::Unix) {
    s.target = rest;
  } else if (s.kind == Kind::Broker) {
    s.target = rest.empty() ? broker::kDefaultSocketPath : rest;
  } else {
    // Options follow the state path or the libftdi description after commas.
    auto comma = rest.find(',');
    s.target = rest.substr(0, comma);
    const bool sim = s.kind == Kind::Sim;
    bool clock_given = false;
    std::string times_given;  // the chip-time options, as written
    // A comma in a sim path reads as an option: say so rather than guess.
    auto bad_option = [&](const std::string& why) {
      bad(device, why + (sim ? " (a sim state path cannot contain ',')" : ""));
    };
    while (comma != std::string::npos) {
      auto next = rest.find(',', comma + 1);
      std::string opt =
          rest.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
      auto eq = opt.find('=');
      if (eq == std::string::npos) bad_option("option '" + opt + "' needs a value");
      std::string key = opt.substr(0, eq), value = opt.substr(eq + 1);
      if (key == "spi-clock-hz") {
        s.spi_clock_hz = parse_number(device, key, value);
        clock_given = true;
        if (s.spi_clock_hz == 0 || s.spi_clock_hz > kMaxSpiClockHz)
          bad(device, "spi-clock-hz must be from 1 to 30000000 (the MPSSE maximum)");
      } else if (!sim && key == "ftdi-interface") {
        if (value.size() != 1 || value[0] < 'A' || value[0] > 'D')
          bad(device, "ftdi-interface must be A, B, C or D");
        s.ftdi_interface = value;
      } else if (!sim && key == "cs-pin") {
        s.cs_pin = parse_number(device, key, value);
        if (s.cs_pin < 3 || s.cs_pin > 7) bad(device, "cs-pin must be an ADBUS pin from 3 to 7");
      } else if (sim && key == "latency") {
        if (value == "off")
          s.latency = Latency::Off;
        else if (value == "modelled")
          s.latency = Latency::Modelled;
        else
          bad(device, "latency must be off or modelled");
      } else if (sim && key.size() > 3 && key.compare(key.size() - 3, 3, "-ms") == 0) {
        try {
          sim::set_chip_time(s.chip_times, key.substr(0, key.size() - 3), value);
        } catch (const std::invalid_argument& e) {
          bad(device, e.what());
        }
        times_given += (times_given.empty() ? "" : ",") + opt;
      } else {
        bad_option("unknown option '" + key + "'");
      }
      comma = next;
    }
    if (sim && clock_given && s.latency != Latency::Modelled)
      bad(device,
          "spi-clock-hz on a sim device needs latency=modelled (it clocks the model's bus)");
    if (!times_given.empty() && s.latency != Latency::Modelled)
      bad(device, "chip times (" + times_given + ") on a sim device need latency=modelled");
  }
  if (s.target.empty())
    bad(device, "empty " + std::string(s.kind == Kind::Ftdi ? "description" : "path"));
  return s;
}

std::string DeviceSpec::to_string() const {
  switch (kind) {
    case Kind::Sim: {
      // Non-default options only, in the order parse() documents.
      std::string out = "sim:" + target;
      if (latency == Latency::Modelled) {
        out += ",latency=modelled";
        if (spi_clock_hz != DeviceSpec{}.spi_clock_hz)
          out += ",spi-clock-hz=" + std::to_string(spi_clock_hz);
        std::string times = sim::format_chip_times(chip_times, "-ms");
        if (!times.empty()) out += "," + times;
      }
      return out;
    }
    case Kind::Unix:
      return "unix:" + target;
    case Kind::Broker:
      return "broker:" + target;
    case Kind::Ftdi: {
      // Non-default options only, in the order parse() documents.
      DeviceSpec defaults;
      std::string out = "ftdi:" + target;
      if (spi_clock_hz != defaults.spi_clock_hz)
        out += ",spi-clock-hz=" + std::to_string(spi_clock_hz);
      if (!ftdi_interface.empty()) out += ",ftdi-interface=" + ftdi_interface;
      if (cs_pin != defaults.cs_pin) out += ",cs-pin=" + std::to_string(cs_pin);
      return out;
    }
  }
  return target;
}

std::unique_ptr<Link> open_link(const DeviceSpec& spec) {
  switch (spec.kind) {
    case DeviceSpec::Kind::Sim:
      try {
        std::unique_ptr<sim::Chip> chip = sim::Chip::open(spec.target);
        SpiLinkOptions options;
        if (spec.latency == DeviceSpec::Latency::Modelled) {
          chip->enable_latency_model({spec.spi_clock_hz, spec.chip_times});
          // Polling sized in time at the modelled clock, as on a real bus.
          options = SpiLinkOptions::for_clock(spec.spi_clock_hz);
        }
        return std::make_unique<SpiLink>(std::make_unique<SimBus>(std::move(chip)), options);
      } catch (const sim::StateError& e) {
        throw ConfigError(e.what());
      }
    case DeviceSpec::Kind::Unix:
      return open_unix_link(spec);
    case DeviceSpec::Kind::Ftdi:
      return open_ftdi_link(spec);
    case DeviceSpec::Kind::Broker:
      return open_broker_link(spec);
  }
  throw ConfigError("unknown device kind");
}

}  // namespace maxq::transport
