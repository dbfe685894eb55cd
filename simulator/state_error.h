// The error of an unusable simulated-chip state file.
#pragma once

#include <stdexcept>
#include <string>

namespace maxq::sim {

// Thrown when a state file cannot be used: missing, unreadable, truncated,
// corrupt, of another format, or not writable. The message names the file and
// says what to do; the file is never modified or reset.
class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<what the file is>; it was left untouched. Restore it from a backup, or move
// it away and provision a new chip with `maxq1061-tool init --device sim:PATH`."
std::string damaged_state_message(const std::string& path, const std::string& problem);

}  // namespace maxq::sim
