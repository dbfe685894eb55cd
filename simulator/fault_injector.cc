#include "simulator/fault_injector.h"

namespace maxq::sim {

void FaultInjector::corrupt_bytes(double p, uint64_t seed) {
  corrupt_p_ = p;
  rng_.seed(seed);
}
void FaultInjector::drop_bytes(double p, uint64_t seed) {
  drop_p_ = p;
  rng_.seed(seed);
}
void FaultInjector::busy_for_polls(uint32_t polls) {
  busy_next_ = polls;
}
void FaultInjector::always_busy_for_polls(uint32_t polls) {
  busy_always_ = polls;
}
void FaultInjector::fail_next_command(uint16_t status) {
  forced_status_ = status;
}
void FaultInjector::go_silent(bool silent) {
  silent_ = silent;
}
void FaultInjector::clear() {
  *this = FaultInjector();
}

namespace {
bool chance(std::mt19937_64& rng, double p) {
  return p > 0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}
uint8_t corrupt(std::mt19937_64& rng, uint8_t b) {
  // A different value, never the same byte.
  return static_cast<uint8_t>(b ^ std::uniform_int_distribution<int>(1, 255)(rng));
}
}  // namespace

uint8_t FaultInjector::on_mosi(uint8_t b, bool& dropped) {
  dropped = chance(rng_, drop_p_);
  return chance(rng_, corrupt_p_) ? corrupt(rng_, b) : b;
}

uint8_t FaultInjector::on_miso(uint8_t b, bool& dropped) {
  dropped = chance(rng_, drop_p_);
  return chance(rng_, corrupt_p_) ? corrupt(rng_, b) : b;
}

uint32_t FaultInjector::take_busy_polls() {
  uint32_t n = busy_next_ + busy_always_;
  busy_next_ = 0;
  return n;
}

std::optional<uint16_t> FaultInjector::take_forced_status() {
  auto s = forced_status_;
  forced_status_.reset();
  return s;
}

}  // namespace maxq::sim
