// Fault injection for tests: the chip model damages its own bus traffic or
// answers with a chosen status, deterministically from a seed.
#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace maxq::sim {

class FaultInjector {
 public:
  // Every byte in either direction is replaced by a random other value with
  // probability `p` (0 disables).
  void corrupt_bytes(double p, uint64_t seed);
  // Every byte in either direction is lost with probability `p`: a MOSI byte is
  // not seen by the chip, a MISO byte is skipped so later bytes arrive early.
  void drop_bytes(double p, uint64_t seed);
  // The next command's answer is delayed by `polls` idle bytes.
  void busy_for_polls(uint32_t polls);
  // Every command's answer is delayed by `polls` idle bytes (0 disables).
  void always_busy_for_polls(uint32_t polls);
  // The next executed command is not executed and answers with `status`.
  void fail_next_command(uint16_t status);
  // Stops answering: commands are still executed but only idle bytes come back
  // (the worst case for a host: it cannot know whether the command ran).
  void go_silent(bool silent);
  void clear();

  // Used by the chip.
  uint8_t on_mosi(uint8_t b, bool& dropped);
  uint8_t on_miso(uint8_t b, bool& dropped);
  uint32_t take_busy_polls();
  std::optional<uint16_t> take_forced_status();
  bool silent() const { return silent_; }

 private:
  double corrupt_p_ = 0;
  double drop_p_ = 0;
  std::mt19937_64 rng_;
  uint32_t busy_next_ = 0;
  uint32_t busy_always_ = 0;
  std::optional<uint16_t> forced_status_;
  bool silent_ = false;
};

}  // namespace maxq::sim
