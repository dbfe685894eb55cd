// Command and byte counters of one simulated chip. They live in a small
// memory-mapped file beside the state file (`STATE.counters`) so that a test, the
// benchmark or the demo can read what another process made the chip do, with
// no I/O on the command path. Counters are cumulative since the file was
// created; callers take a snapshot before and after and subtract.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace maxq::sim {

struct CounterSnapshot {
  // Intact command frames by command code (answered, including forced failures).
  std::array<uint64_t, 256> commands{};
  uint64_t bytes_to_chip = 0;    // MOSI bytes clocked
  uint64_t bytes_from_chip = 0;  // MISO bytes clocked
  uint64_t frame_errors = 0;     // command frames refused with FrameError
  uint64_t selects = 0;          // chip-select windows

  uint64_t total_commands() const;
  uint64_t count(uint8_t code) const { return commands[code]; }
  CounterSnapshot operator-(const CounterSnapshot& earlier) const;
};

class Counters {
 public:
  // Maps (creating if needed) the counter file. If the file cannot be mapped the
  // counters are kept in process memory only.
  static std::unique_ptr<Counters> open_shared(const std::string& path);
  static std::unique_ptr<Counters> in_memory();
  // Reads the counter file of a chip another process drives; throws
  // std::runtime_error naming the file when it is missing or malformed.
  static CounterSnapshot read_file(const std::string& path);
  ~Counters();

  void add_command(uint8_t code);
  void add_bytes(uint64_t to_chip, uint64_t from_chip);
  void add_frame_error();
  void add_select();
  CounterSnapshot snapshot() const;

 private:
  struct Block;
  Counters(Block* block, size_t mapped_size, std::unique_ptr<Block> owned);
  Block* block_;
  size_t mapped_size_;
  std::unique_ptr<Block> owned_;
};

}  // namespace maxq::sim
