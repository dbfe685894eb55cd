#include "bench/latency_model.h"

#include "simulator/latency_model.h"

namespace maxq::bench {

HardwareEstimate estimate_hardware(const sim::CounterSnapshot& delta, uint64_t handshakes,
                                   unsigned field_bytes, double spi_hz,
                                   const sim::ChipTimes& times) {
  HardwareEstimate e;
  if (handshakes == 0) return e;
  for (int code = 0; code < 256; ++code) {
    if (!delta.commands[code]) continue;
    e.chip_ms += static_cast<double>(delta.commands[code]) *
                 sim::command_time_ms(static_cast<uint8_t>(code), field_bytes, times);
  }
  e.chip_ms /= static_cast<double>(handshakes);
  // Full duplex: every clocked byte moves one byte each way.
  double clocked = static_cast<double>(delta.bytes_to_chip) / static_cast<double>(handshakes);
  e.bus_ms = clocked * 8.0 / spi_hz * 1000.0;
  return e;
}

}  // namespace maxq::bench
