#include "simulator/bus_pacer.h"

#include <algorithm>
#include <stdexcept>

#include "simulator/latency_model.h"

namespace maxq::sim {

BusPacer::BusPacer(uint32_t spi_clock_hz, std::shared_ptr<ChipClock> clock)
    : spi_clock_hz_(spi_clock_hz), clock_(std::move(clock)) {
  if (spi_clock_hz_ == 0)
    throw std::invalid_argument("latency model: the SPI clock must be > 0 Hz");
  if (!clock_) throw std::invalid_argument("latency model: no clock");
}

BusPacer::time_point BusPacer::begin() {
  return std::max(bus_free_, clock_->now() - credit_);
}

ByteSlot BusPacer::slot(time_point start, size_t i) const {
  return {start + bus_time(i, spi_clock_hz_), start + bus_time(i + 1, spi_clock_hz_)};
}

void BusPacer::finish(time_point start, size_t clocked) {
  const time_point deadline = start + bus_time(clocked, spi_clock_hz_);
  bus_free_ = deadline;
  const time_point now = clock_->now();
  if (now < deadline) {
    clock_->sleep_until(deadline);
    credit_ = std::max(ChipClock::duration{0}, clock_->now() - deadline);
  } else {
    // Already late (an earlier oversleep, or the host's own work): what is
    // left of the credit, never more than it was.
    credit_ = std::min(credit_, now - deadline);
  }
}

void BusPacer::abandon(time_point start, size_t clocked) {
  bus_free_ = start + bus_time(clocked, spi_clock_hz_);
  credit_ = ChipClock::duration{0};
}

}  // namespace maxq::sim
