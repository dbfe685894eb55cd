// Parsing of device strings ("sim:PATH", "unix:PATH", "ftdi:DESC") and opening
// the matching link.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "transport/link.h"

namespace maxq::transport {

struct DeviceSpec {
  enum class Kind { Sim, Unix, Ftdi };
  Kind kind = Kind::Sim;
  std::string target;           // state file, socket path or libftdi description
  uint32_t spi_clock_hz = 1000000;
  std::string ftdi_interface;   // "A".."D" or "" for the default
  unsigned cs_pin = 3;          // ADBUS pin of chip select (ADBUS3 by default)

  // Throws ConfigError with the offending string and the accepted forms.
  static DeviceSpec parse(const std::string& device);
  std::string to_string() const;
};

// $XDG_STATE_HOME/maxq1061/sim.state, else ~/.local/state/maxq1061/sim.state.
std::string default_sim_state_path();

// Opens the link for `spec`. Throws ConfigError / LinkError / a simulator
// StateError wrapped in ConfigError, naming the device.
std::unique_ptr<Link> open_link(const DeviceSpec& spec);

}  // namespace maxq::transport
