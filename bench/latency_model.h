// MODELLED: how long a real MAXQ1061 might take per command. Maxim publishes no
// timings; these are assumptions for estimates only (see bench/README.md), kept
// in one table so they can be replaced by measurements from a real board.
#pragma once

#include <cstdint>

#include "simulator/counters.h"

namespace maxq::bench {

struct HardwareEstimate {
  double bus_ms = 0;   // SPI clocking at the given rate (full duplex: one byte each way per 8 clocks)
  double chip_ms = 0;  // modelled command execution time
};

// Per-handshake estimate from counter deltas over `handshakes` handshakes.
HardwareEstimate estimate_hardware(const sim::CounterSnapshot& delta, uint64_t handshakes,
                                   unsigned field_bytes, double spi_hz = 1e6);

}  // namespace maxq::bench
