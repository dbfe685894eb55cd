// RAII exclusive flock on a lock file (cross-process serialisation of commands).
// Never inherited by a forked child (posix/file_locking.h); a lock nobody
// lets go of gives an error naming the holder after posix::lock_timeout().
#pragma once

#include <string>

namespace maxq::transport {

class FileLock {
 public:
  // Opens (creating) `path` and blocks until the exclusive lock is held.
  // Throws LinkError naming the file when it cannot.
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace maxq::transport
