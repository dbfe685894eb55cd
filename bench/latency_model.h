// The benchmark's estimate of a handshake on a real part, from the chip's
// command and byte counters and the simulator's MODELLED latency table
// (simulator/latency_model.h: the one place those numbers live).
#pragma once

#include <cstdint>

#include "simulator/counters.h"
#include "simulator/latency_model.h"

namespace maxq::bench {

struct HardwareEstimate {
  double bus_ms =
      0;  // SPI clocking at the given rate (full duplex: one byte each way per 8 clocks)
  double chip_ms = 0;  // modelled command execution time
};

// Per-handshake estimate from counter deltas over `handshakes` handshakes. Every
// command is timed on a key of `field_bytes` (the benchmark's curve); bus time
// counts every clocked byte, including polls clocked while the chip works.
HardwareEstimate estimate_hardware(const sim::CounterSnapshot& delta, uint64_t handshakes,
                                   unsigned field_bytes, double spi_hz = 1e6,
                                   const sim::ChipTimes& times = {});

}  // namespace maxq::bench
