// The persistent state of a simulated chip, in a file that several processes
// share (the `openssl genpkey` that made a key, then the `s_server` that uses
// it). The format is in state_codec.h.
//
// Every command runs under an exclusive flock on PATH.lock (held for the whole
// command). Before it runs, the state is re-read if another process changed
// the file: PATH names another inode than the file last loaded, which is held
// open so its inode number cannot be reused, or its size or change time moved
// (written in place: damage, reported, never overwritten). A changed state is written to
// a new PATH.tmp.XXXXXX (mkostemp: O_EXCL, never a file or symlink someone
// else made), fsynced, renamed over PATH and the directory fsynced, so a
// process killed at any point leaves the old file or the new one. Temporaries
// left by killed writers are removed by the next writer (under the lock, no
// other writer can be active). A file that cannot be parsed is never
// rewritten: StateError names it and says what to do.
//
// The state file holds the chip's private keys in the clear: it is no
// security boundary, only a model. So that one chip stays one chip and
// nobody else can slip a file in: PATH and PATH.lock must be regular files
// (a FIFO is refused before the open could block), not symbolic links, owned
// by this user and not writable by others; PATH is at most
// kMaxStateFileBytes; a lock held past lock_timeout() is an error naming its
// holder. A forked child never keeps the lock descriptor (posix/file_locking.h).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "posix/unique_fd.h"
#include "simulator/object_store.h"
#include "simulator/sim_crypto.h"

namespace maxq::sim {

// mkdir -p for the directory that will hold `path`; new directories get mode
// 0700 (a state file holds the chip's private keys). StateError on failure.
void make_parent_dirs(const std::string& path);

// No chip state comes near it (a full object store is some tens of KB).
inline constexpr uint64_t kMaxStateFileBytes = 1 << 20;

class StateFile {
 public:
  // Creates PATH holding `state` (and missing parent directories, mode 0700).
  // StateError when PATH exists (it is left untouched) or cannot be written.
  static void create(const std::string& path, const PersistentState& state, SimCrypto& crypto);
  // Opens and validates PATH; StateError naming the file when it is unusable.
  // `crypto` must outlive the StateFile.
  static std::unique_ptr<StateFile> open(const std::string& path, SimCrypto& crypto);
  ~StateFile();
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  // Runs `fn` on the freshest state under the cross-process lock; when `fn`
  // returns true the state is written back atomically before the lock is
  // released. Throws StateError; after any exception the state is re-read
  // before the next transaction.
  void transact(const std::function<bool(PersistentState&)>& fn);

  const std::string& path() const { return path_; }
  // The state as last loaded (for facts that never change, like the serial).
  const PersistentState& cached() const { return state_; }
  uint64_t generation() const { return generation_; }

 private:
  StateFile(std::string path, posix::UniqueFd lock, SimCrypto& crypto);
  void reload_if_changed();
  void remember_file(const struct stat& st);
  bool same_file(const struct stat& st) const;
  void save();

  std::string path_;
  posix::UniqueFd lock_fd_;
  SimCrypto& crypto_;
  PersistentState state_;
  bool loaded_ = false;  // state_ matches the file identified below
  uint64_t generation_ = 0;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  off_t size_ = 0;
  timespec ctime_{};
  posix::UniqueFd loaded_fd_;  // the file state_ came from, held open (see reload_if_changed)
  pid_t pid_;                  // the process lock_fd_ was opened in
};

}  // namespace maxq::sim
