// Test support for the link work: a scratch directory with a provisioned chip,
// and the built `maxq1061-sim` executable run as a child process (stdout and
// stderr captured to files, killed and reaped when the object goes away).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "simulator/chip.h"

namespace maxq::sim::testing {

class ScratchChip {
 public:
  ScratchChip() {
    char tmpl[] = "/tmp/maxq-links.XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    state = dir + "/chip.state";
    admin_key = state + ".admin.pem";
    provisioned = Chip::provision(state, admin_key);
  }
  ~ScratchChip() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  ScratchChip(const ScratchChip&) = delete;
  ScratchChip& operator=(const ScratchChip&) = delete;
  std::string file(const std::string& name) const { return dir + "/" + name; }

  std::string dir, state, admin_key;
  ProvisionResult provisioned;
};

// A connected unix stream socket, or -1.
inline int connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return -1;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

#ifdef MAXQ_SIM_DAEMON_PATH
// The path of the built executable comes from CMake ($<TARGET_FILE:maxq1061-sim>).
class DaemonProcess {
 public:
  // Starts `maxq1061-sim ARGS...`; its stdout and stderr go to `log_prefix`.out/.err.
  DaemonProcess(std::vector<std::string> args, std::string log_prefix)
      : out_(log_prefix + ".out"), err_(log_prefix + ".err") {
    std::vector<std::string> all{MAXQ_SIM_DAEMON_PATH};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (o < 0 || e < 0) _exit(127);
      dup2(o, 1);
      dup2(e, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  // The usual way: serve `state` on `socket` and wait until it accepts.
  static std::unique_ptr<DaemonProcess> serve(const std::string& state, const std::string& socket,
                                              std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--state", state, "--socket", socket};
    args.insert(args.end(), extra.begin(), extra.end());
    auto d = std::make_unique<DaemonProcess>(args, socket);
    if (!d->wait_ready(socket))
      throw std::runtime_error("maxq1061-sim did not start: " + d->stderr_text());
    return d;
  }
  ~DaemonProcess() {
    if (running()) kill9();
  }
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool running() const { return pid_ > 0 && !reaped_; }
  pid_t pid() const { return pid_; }

  bool wait_ready(const std::string& socket,
                  std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      int fd = connect_unix(socket);
      if (fd >= 0) {
        ::close(fd);
        return true;
      }
      if (poll_exit()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  // Exit status (0..255), or 128 + signal; -1 when still running after `limit`.
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!poll_exit()) {
      if (std::chrono::steady_clock::now() >= end) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
  }
  int terminate() {
    ::kill(pid_, SIGTERM);
    return wait_exit();
  }
  void kill9() {
    ::kill(pid_, SIGKILL);
    wait_exit();
  }
  std::string stderr_text() const { return read_text(err_); }
  std::string stdout_text() const { return read_text(out_); }

 private:
  bool poll_exit() {
    if (reaped_) return true;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) != pid_) return false;
    reaped_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return true;
  }

  std::string out_, err_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = -1;
};

#endif  // MAXQ_SIM_DAEMON_PATH

}  // namespace maxq::sim::testing
