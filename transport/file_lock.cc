#include "transport/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "transport/errors.h"

namespace maxq::transport {

FileLock::FileLock(const std::string& path) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw LinkError(LinkError::Kind::Io,
                    "cannot open the device lock file " + path + ": " + std::strerror(errno));
  while (flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int e = errno;
    close(fd_);
    throw LinkError(LinkError::Kind::Io, "cannot lock " + path + ": " + std::strerror(e));
  }
}

FileLock::~FileLock() {
  flock(fd_, LOCK_UN);
  close(fd_);
}

}  // namespace maxq::transport
