// Whether a daemon listens on a unix stream socket yet: its socket file exists
// from bind(), a moment before listen(), so only a connection tells.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <string>

#include "posix/unique_fd.h"

namespace maxq::posix {

// True when `path` takes a connection (closed at once).
inline bool accepts_connections(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return false;
  std::copy(path.begin(), path.end(), addr.sun_path);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.valid() &&
         ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

}  // namespace maxq::posix
