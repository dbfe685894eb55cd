// The options of a sim: device string: the latency model.
//
//   sim:PATH[,latency=off|modelled][,spi-clock-hz=N][,NAME-ms=T...]
//     a simulated chip in this process; PATH is its state file.
//     latency=modelled makes it take as long as a real part
//     (simulator/latency_model.h: MODELLED chip time per command, bus time at
//     spi-clock-hz, default 1 MHz, 1..30000000 as for ftdi, only with
//     latency=modelled); NAME-ms=T sets the chip time of a command class
//     (NAME: sign, keygen, ecdh, auth, random, write, other; T milliseconds
//     for P-256, 0..100; only with latency=modelled); latency=off (the
//     default) answers at once. Options follow the path after commas, in any
//     order, so PATH cannot contain a comma: such a path is a ConfigError.
#pragma once

#include <cstdint>
#include <string>

#include "simulator/latency_model.h"
#include "transport/device_spec.h"

namespace maxq::simulated_links {

struct SimLinkOptions {
  bool modelled = false;  // latency=modelled
  uint32_t spi_clock_hz = sim::kDefaultSpiClockHz;
  sim::ChipTimes chip_times;

  // From a sim: device's options. Throws transport::ConfigError saying which
  // option is wrong.
  static SimLinkOptions from_spec(const transport::DeviceSpec& spec);
  // The options that differ from the defaults, as ",KEY=VALUE..." in the order
  // above (for the canonical device string).
  std::string options_text() const;
};

}  // namespace maxq::simulated_links
