// Parsing of device strings and opening the matching link.
//
// Accepted forms (the `device` config key and MAXQ1061_DEVICE):
//   sim:PATH[,latency=off|modelled][,spi-clock-hz=N][,NAME-ms=T...]
//               a simulated chip in this process; PATH is its state file.
//               latency=modelled makes it take as long as a real part
//               (simulator/latency_model.h: MODELLED chip time per command,
//               bus time at spi-clock-hz, default 1 MHz, 1..30000000 as for
//               ftdi, only with latency=modelled); NAME-ms=T sets the chip
//               time of a command class (NAME: sign, keygen, ecdh, auth,
//               random, write, other; T milliseconds for P-256, 0..100; only
//               with latency=modelled); latency=off (the default) answers at
//               once. Options follow the path after commas, in
//               any order, so PATH cannot contain a comma: such a path is a
//               ConfigError.
//   unix:PATH   a maxq1061-sim daemon listening on the unix socket PATH
//   broker:PATH the maxq1061d daemon that owns the chip, on its unix socket PATH
//               (broker: alone: /run/maxq1061/maxq1061.sock)
//   ftdi:DESC[,spi-clock-hz=N][,ftdi-interface=A|B|C|D][,cs-pin=N]
//               an FTDI MPSSE bridge; DESC is a libftdi description string
//               (d:BUS/DEV, i:VID:PID, i:VID:PID:INDEX, s:VID:PID:SERIAL), e.g.
//               ftdi:i:0x0403:0x6014,spi-clock-hz=1000000,ftdi-interface=A.
//               Options follow the description after commas, in any order:
//               spi-clock-hz (decimal or 0x hex, default 1 MHz), ftdi-interface
//               (channel of a multi-channel chip, default the first), cs-pin
//               (ADBUS pin 3..7 wired to the chip select, default 3).
// PATH and DESC must not be empty. Anything else is a ConfigError that lists
// these forms.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "simulator/latency_model.h"
#include "transport/link.h"

namespace maxq::transport {

struct DeviceSpec {
  enum class Kind { Sim, Unix, Ftdi, Broker };
  enum class Latency { Off, Modelled };  // sim: only
  Kind kind = Kind::Sim;
  std::string target;               // state file, socket path or libftdi description
  uint32_t spi_clock_hz = 1000000;  // ftdi: the bus; sim: the latency model's bus
  Latency latency = Latency::Off;
  sim::ChipTimes chip_times;   // sim: with latency=modelled
  std::string ftdi_interface;  // "A".."D" or "" for the default
  unsigned cs_pin = 3;         // ADBUS pin of chip select (ADBUS3 by default)

  // Throws ConfigError with the offending string and the accepted forms.
  static DeviceSpec parse(const std::string& device);
  std::string to_string() const;
};

// Opens the link for `spec`. Throws ConfigError / LinkError / a simulator
// StateError wrapped in ConfigError, naming the device.
std::unique_ptr<Link> open_link(const DeviceSpec& spec);

}  // namespace maxq::transport
