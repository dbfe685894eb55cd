// Bus time for the latency model: clocking n bytes takes n * 8 / spi_clock_hz
// seconds. The pacer keeps a running deadline (when the bus is free again) so
// that many small transfers cost exactly their sum: the time a sleep overshoots
// its deadline is given back to the next transfer instead of adding up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "simulator/chip_clock.h"

namespace maxq::sim {

// Where one byte sits on the bus: clocked out from `start`, in by `end`.
struct ByteSlot {
  ChipClock::time_point start;
  ChipClock::time_point end;
};

class BusPacer {
 public:
  using time_point = ChipClock::time_point;
  // Throws std::invalid_argument for a zero clock or a null clock source.
  BusPacer(uint32_t spi_clock_hz, std::shared_ptr<ChipClock> clock);

  // When a transfer that starts now begins on the bus: not before the bus is
  // free, not before now (less what the last sleep overslept).
  time_point begin();
  // The slot of byte `i` of a transfer that began at `start`.
  ByteSlot slot(time_point start, size_t i) const;
  // After `clocked` bytes: sleeps until the bus would be done with them.
  void finish(time_point start, size_t clocked);
  // The transfer stopped after `clocked` bytes (an error): the bus is busy
  // until then, but nobody waits for it.
  void abandon(time_point start, size_t clocked);

  ChipClock& clock() { return *clock_; }
  uint32_t spi_clock_hz() const { return spi_clock_hz_; }

 private:
  uint32_t spi_clock_hz_;
  std::shared_ptr<ChipClock> clock_;
  time_point bus_free_ = time_point::min();
  ChipClock::duration credit_{0};  // how much the last sleep overslept, not yet given back
};

}  // namespace maxq::sim
