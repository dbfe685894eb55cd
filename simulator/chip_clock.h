// The clock the latency model runs on. The chip reads the time and sleeps
// through this interface only, so tests can drive a VirtualClock and assert
// exact times without waiting.
#pragma once

#include <chrono>

namespace maxq::sim {

class ChipClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::nanoseconds;
  virtual ~ChipClock() = default;
  virtual time_point now() = 0;
  // Returns at `t` or later; never spins.
  virtual void sleep_until(time_point t) = 0;
};

// The real clock: steady time, the thread sleeps.
class SteadyChipClock final : public ChipClock {
 public:
  time_point now() override;
  void sleep_until(time_point t) override;
};

// A clock that only moves when told to: sleep_until jumps to the deadline,
// advance() stands for time the host spends elsewhere. Starts at the epoch.
class VirtualClock final : public ChipClock {
 public:
  time_point now() override { return now_; }
  void sleep_until(time_point t) override {
    if (t > now_) now_ = t;
    ++sleeps_;
  }
  void advance(duration d) { now_ += d; }
  // Time since the epoch, for exact assertions.
  duration elapsed() const { return now_.time_since_epoch(); }
  unsigned sleeps() const { return sleeps_; }

 private:
  time_point now_{};
  unsigned sleeps_ = 0;
};

}  // namespace maxq::sim
