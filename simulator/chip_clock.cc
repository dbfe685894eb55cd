#include "simulator/chip_clock.h"

#include <thread>

namespace maxq::sim {

ChipClock::time_point SteadyChipClock::now() {
  return std::chrono::steady_clock::now();
}

void SteadyChipClock::sleep_until(time_point t) {
  std::this_thread::sleep_until(t);
}

}  // namespace maxq::sim
