#include "broker/listen_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace maxq::broker {
namespace {

constexpr int kListenFdsStart = 3;  // SD_LISTEN_FDS_START

std::string errno_text(int e) {
  return std::strerror(e);
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    throw std::runtime_error("socket path '" + path + "' is empty or longer than " +
                             std::to_string(sizeof(addr.sun_path) - 1) +
                             " bytes; choose a shorter --socket");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

void clear_stale_socket(const std::string& path, const sockaddr_un& addr) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode))
    throw std::runtime_error(path +
                             " exists and is not a socket; refusing to replace it (remove it or "
                             "choose another --socket)");
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe.valid()) throw std::runtime_error("socket(): " + errno_text(errno));
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0)
    throw std::runtime_error("another maxq1061d already serves " + path +
                             "; stop it first (systemctl stop maxq1061d) or choose another "
                             "--socket");
  if (errno != ECONNREFUSED)
    throw std::runtime_error("cannot check the existing socket " + path + ": " + errno_text(errno));
  if (::unlink(path.c_str()) != 0)
    throw std::runtime_error("cannot remove the stale socket " + path + ": " + errno_text(errno));
}

}  // namespace

UniqueFd listen_on(const ListenOptions& options) {
  const std::string& path = options.path;
  sockaddr_un addr = address_of(path);
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
      throw std::runtime_error("cannot create the socket's directory " + dir + ": " +
                               errno_text(errno));
  }
  clear_stale_socket(path, addr);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw std::runtime_error("socket(): " + errno_text(errno));
  // Bound with no access at all; opened to the group once chgrp'd.
  mode_t old = ::umask(0777);
  int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  int bind_errno = errno;
  ::umask(old);
  if (bound != 0)
    throw std::runtime_error("cannot bind " + path + ": " + errno_text(bind_errno) +
                             " (is the directory writable by this user?)");
  auto fail = [&](const std::string& what) {
    int e = errno;
    ::unlink(path.c_str());
    throw std::runtime_error(what + ": " + errno_text(e));
  };
  if (options.group && ::chown(path.c_str(), static_cast<uid_t>(-1), *options.group) != 0)
    fail("cannot give " + path + " to group " + std::to_string(*options.group) +
         " (the daemon must run as root or be a member of that group)");
  if (::chmod(path.c_str(), options.mode) != 0) fail("cannot set the mode of " + path);
  if (::listen(fd.get(), 128) != 0) fail("cannot listen on " + path);
  return fd;
}

UniqueFd activated_socket() {
  const char* pid = secure_getenv("LISTEN_PID");
  const char* fds = secure_getenv("LISTEN_FDS");
  if (!pid || !fds) return UniqueFd();
  const bool for_us = std::strtol(pid, nullptr, 10) == static_cast<long>(::getpid());
  const long n = std::strtol(fds, nullptr, 10);
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (!for_us) return UniqueFd();
  if (n != 1)
    throw std::runtime_error("systemd passed " + std::to_string(n) +
                             " sockets; maxq1061d takes exactly one (check maxq1061d.socket)");
  UniqueFd fd(kListenFdsStart);
  int type = 0, listening = 0;
  socklen_t len = sizeof(type);
  sockaddr_un addr{};
  socklen_t alen = sizeof(addr);
  if (getsockopt(fd.get(), SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM ||
      getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &alen) != 0 ||
      addr.sun_family != AF_UNIX)
    throw std::runtime_error(
        "the socket systemd passed is not a unix stream socket (ListenStream=PATH in "
        "maxq1061d.socket)");
  len = sizeof(listening);
  if (getsockopt(fd.get(), SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening)
    throw std::runtime_error("the socket systemd passed is not listening (Accept=no)");
  int flags = ::fcntl(fd.get(), F_GETFD);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFD, flags | FD_CLOEXEC);
  return fd;
}

std::string socket_path_of(int fd) {
  sockaddr_un addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 || addr.sun_family != AF_UNIX)
    return "";
  if (len <= offsetof(sockaddr_un, sun_path) || addr.sun_path[0] == '\0') return "";
  return std::string(addr.sun_path, strnlen(addr.sun_path, sizeof(addr.sun_path)));
}

}  // namespace maxq::broker
