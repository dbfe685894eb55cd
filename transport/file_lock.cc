#include "transport/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "posix/file_locking.h"
#include "transport/errors.h"

namespace maxq::transport {

FileLock::FileLock(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd_ < 0)
    throw LinkError(LinkError::Kind::Io,
                    "cannot open the device lock file " + path + ": " + std::strerror(errno));
  // A forked child must not keep the held lock (it would outlive this process).
  posix::fork_private_add(fd_);
  if (auto error = posix::lock_exclusive(fd_, path)) {
    posix::fork_private_remove(fd_);
    close(fd_);
    throw LinkError(LinkError::Kind::Io, *error);
  }
}

FileLock::~FileLock() {
  posix::fork_private_remove(fd_);
  flock(fd_, LOCK_UN);
  close(fd_);
}

}  // namespace maxq::transport
