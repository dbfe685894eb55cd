// Test support for maxq1061d: a provisioned chip in a temp directory, the
// built daemon run as a child process (logs captured, killed and reaped when
// the object goes away), and clients that reach it through broker:PATH.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "posix/unix_socket_probe.h"
#include "test/support/provisioned_chip.h"
#include "transport/credential_key.h"
#include "transport/device.h"
#include "transport/device_spec.h"
#include "transport/link_registry.h"

namespace maxq::broker::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A child process running `argv`, stdout and stderr appended to LOG.out/.err.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, std::string log_prefix)
      : out_(log_prefix + ".out"), err_(log_prefix + ".err") {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int o = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      int e = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (o < 0 || e < 0) _exit(127);
      dup2(o, 1);
      dup2(e, 2);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (running()) kill9();
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running() { return pid_ > 0 && !poll_exit(); }
  pid_t pid() const { return pid_; }
  // Exit status (0..255), or 128 + signal; -1 when still running after `limit`.
  int wait_exit(std::chrono::milliseconds limit = std::chrono::seconds(30)) {
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
  bool wait_socket(const std::string& socket,
                   std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (posix::accepts_connections(socket)) return true;
      if (poll_exit()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }
  std::string stderr_text() const { return read_text(err_); }

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

#ifdef MAXQ_BROKER_DAEMON_PATH
// maxq1061d serving `device` on `socket`, in the foreground.
inline std::unique_ptr<ChildProcess> start_broker(const std::string& device,
                                                  const std::string& socket,
                                                  std::vector<std::string> extra = {}) {
  std::vector<std::string> argv{
      MAXQ_BROKER_DAEMON_PATH, "--foreground", "--device", device, "--socket", socket};
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto d = std::make_unique<ChildProcess>(argv, socket);
  if (!d->wait_socket(socket))
    throw std::runtime_error("maxq1061d did not start: " + d->stderr_text());
  return d;
}
#endif

// A chip in a temp dir and a daemon serving it (started by the test).
struct BrokerFixture {
  maxq::testing::ProvisionedChip chip;
  std::string socket = chip.dir.file("broker.sock");
  std::string device() const { return "sim:" + chip.state; }
  transport::CredentialKey admin() const {
    return transport::CredentialKey::load(chip.admin_key, transport::CredentialKey::Kind::Admin);
  }
  transport::CredentialKey key_import() const {
    return transport::CredentialKey::load(chip.state + ".key-import.pem",
                                          transport::CredentialKey::Kind::KeyImport);
  }
  std::unique_ptr<transport::Device> client() const {
    return std::make_unique<transport::Device>(transport::builtin_links().open("broker:" + socket));
  }
};

}  // namespace maxq::broker::testing
