// Command and byte counters of one simulated chip. They live in a small file
// beside the state file (`STATE.counters`) so that a test, the benchmark or the
// demo can read what another process made the chip do. Counters are cumulative
// since the file was created; callers take a snapshot before and after and
// subtract.
//
// The file is never memory-mapped: a mapping raises SIGBUS in every process
// using the chip when someone truncates the file. A process counts in memory
// and adds its counts to the file at the end of each chip-select window
// (flush(): open, lock, pread, pwrite, close), so a damaged or truncated file
// only stops the counting there (kept in memory), and a forked child starts
// counting afresh without the parent's unflushed counts.
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
  // Uses (creating if needed) the counter file. If the file cannot be used the
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
  // Adds the counts made since the last flush to the file.
  void flush();
  // The chip's call when chip select is released: flush() once a command or
  // a frame error was counted since the last one. Poll windows alone (selects
  // and bytes) wait for the next: a host polling for a lost answer would
  // otherwise pay a file lock and four syscalls per poll byte.
  void flush_after_window();
  // Totals: the file's after a flush, or this process's when there is none.
  CounterSnapshot snapshot();

  struct Block;  // counts in process memory (counters.cc)

 private:
  explicit Counters(std::string path);
  std::string path_;                // empty: in memory only
  std::unique_ptr<Block> pending_;  // counted, not yet in the file
  std::unique_ptr<Block> totals_;   // everything this object counted
  int pid_;                         // whose pending counts these are
  bool file_ok_;
  std::atomic<bool> worth_flushing_{false};
};

}  // namespace maxq::sim
