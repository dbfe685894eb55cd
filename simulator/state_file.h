// The persistent state of a simulated chip in a file shared by processes.
//
// Format (version 1): magic "MAXQ1061-SIMSTATE" (17 bytes), version u16,
// generation u64, serial [24], lifecycle u8, object count u16, objects, then a
// SHA-256 over everything before it. Each object: id u16, type u8, property u8,
// rules [9], length u16, curve u8 (0xFF none), then u16-length-prefixed public
// point, private scalar and data. Big-endian like the wire protocol.
//
// Every command runs under an exclusive flock on PATH.lock; the state is
// re-read when the file changed since this process last saw it; a changed
// state is written to PATH.tmp, fsynced and renamed over PATH (then the
// directory is fsynced), so a process killed at any point leaves the old file
// or the new one. Nothing here ever rewrites a file it could not parse.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "simulator/object_store.h"

namespace maxq::sim {

class StateFile {
 public:
  // Creates PATH with `state`; StateError if PATH exists or cannot be written.
  static void create(const std::string& path, const PersistentState& state);
  // Opens and validates PATH; StateError naming the file when unusable.
  static std::unique_ptr<StateFile> open(const std::string& path);
  StateFile(std::string path, int lock_fd);  // use open()
  ~StateFile();
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  // Runs `fn` on the freshest state under the cross-process lock; when it
  // returns true, the modified state is written back atomically.
  void transact(const std::function<bool(PersistentState&)>& fn);

  const std::string& path() const { return path_; }
  // State as last loaded (serial and other immutable facts are safe to read).
  const PersistentState& cached() const { return state_; }

  // Parsing and encoding, exposed for tests.
  static Bytes encode(const PersistentState& state, uint64_t generation);
  static PersistentState decode(ByteView file, const std::string& path, uint64_t* generation);

 private:
  void reload_if_changed();
  void write(const PersistentState& state);

  std::string path_;
  int lock_fd_;
  PersistentState state_;
  uint64_t generation_ = 0;
  ino_t ino_ = 0;
  off_t size_ = 0;
  struct timespec mtime_ {};
};

}  // namespace maxq::sim
