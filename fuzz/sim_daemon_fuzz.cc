// The simulator daemon's socket protocol, live: a maxq1061-sim daemon (the
// SimDaemon class, its reader, request parser and batch runner) serves a
// simulated chip on a socket in this process; every input is one client
// connection that sends the input's bytes and closes its sending side. The
// daemon must answer or drop the client, never hang or crash.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "fuzz/fuzz_support.h"
#include "simulator/chip.h"
#include "simulator/sim_daemon.h"

using namespace maxq;

namespace {

std::string start_daemon() {
  std::string state = fuzz::scratch_dir() + "/daemon.state";
  // Counters in memory (a directory where the counter file would be): the
  // file costs syscalls per chip-select window, not coverage.
  mkdir((state + ".counters").c_str(), 0700);
  sim::Chip::provision(state, state + ".admin.pem", state + ".key-import.pem");
  sim::DaemonOptions options;
  options.socket_path = fuzz::scratch_dir() + "/sim.sock";
  auto* daemon = new sim::SimDaemon(sim::Chip::open(state), options);  // lives for the run
  int stop[2];
  if (pipe(stop) != 0) std::abort();
  std::thread([daemon, fd = stop[0]] { daemon->serve(fd); }).detach();
  return options.socket_path;
}

int connect_to(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    std::abort();
  return fd;
}

// poll() for `events`, again after a signal (libFuzzer's timer interrupts
// it); a daemon that neither answers nor closes for 30 s is a hang.
short wait_for(int fd, short events) {
  pollfd p{fd, events, 0};
  int r;
  while ((r = poll(&p, 1, 30000)) < 0 && errno == EINTR) {
  }
  if (r != 1) std::abort();
  return p.revents;
}

ssize_t receive(int fd, char* buf, size_t n) {
  ssize_t r;
  while ((r = ::recv(fd, buf, n, 0)) < 0 && errno == EINTR) {
  }
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string socket_path = start_daemon();
  int fd = connect_to(socket_path);
  size_t sent = 0;
  char buf[65536];
  // Send everything (reading meanwhile so that a large reply cannot block
  // both sides), then close the sending side and read to the end.
  while (sent < size) {
    short revents = wait_for(fd, POLLOUT | POLLIN);
    if (revents & POLLIN) {
      if (receive(fd, buf, sizeof buf) <= 0) break;  // dropped us
    } else if (revents & POLLOUT) {
      ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    } else {
      break;
    }
  }
  ::shutdown(fd, SHUT_WR);
  for (;;) {
    wait_for(fd, POLLIN);
    if (receive(fd, buf, sizeof buf) <= 0) break;
  }
  ::close(fd);
  return 0;
}
