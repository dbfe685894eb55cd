// The state file as an attacker or an unlucky operator meets it: symlinks,
// FIFOs, files of other users or writable by others, huge files, temporaries
// someone else made, a lock nobody lets go of, and fork() while a lock is held.
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "posix/file_locking.h"
#include "simulator/sim_test_support.h"
#include "simulator/state_error.h"
#include "simulator/state_file.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;

namespace {

// Runs `fn` in a child process; its exit code, or -1 when it did not end
// within `limit` (then it is killed) or died of a signal.
int in_child(const std::function<int()>& fn,
             std::chrono::seconds limit = std::chrono::seconds(20)) {
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 99;
    try {
      rc = fn();
    } catch (...) {
    }
    _exit(rc);
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string open_error(const std::string& state) {
  try {
    sim::Chip::open(state);
  } catch (const sim::StateError& e) {
    return e.what();
  }
  return "";
}

struct ShortLockTimeout {
  std::chrono::milliseconds old = posix::lock_timeout();
  explicit ShortLockTimeout(std::chrono::milliseconds t) { posix::set_lock_timeout(t); }
  ~ShortLockTimeout() { posix::set_lock_timeout(old); }
};

}  // namespace

TEST_CASE("a symlinked state path is refused, never replaced by a second chip",
          "[state][hardening]") {
  ProvisionedChip t;
  std::string link = t.dir.file("link.state");
  REQUIRE(symlink(t.state.c_str(), link.c_str()) == 0);
  CHECK_THAT(open_error(link), Catch::Contains(link) && Catch::Contains("symbolic link"));
  struct stat st {};
  REQUIRE(lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));  // left as it was
  // A symlinked lock file too.
  ProvisionedChip u;
  std::string lock = u.state + ".lock";
  unlink(lock.c_str());
  REQUIRE(symlink(t.dir.file("elsewhere").c_str(), lock.c_str()) == 0);
  CHECK_THAT(open_error(u.state), Catch::Contains("symbolic link"));
  CHECK(access(t.dir.file("elsewhere").c_str(), F_OK) != 0);
}

TEST_CASE("a FIFO as the state file is refused without blocking", "[state][hardening]") {
  TempDir dir;
  std::string fifo = dir.file("fifo.state");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // In a child: opening a FIFO for reading blocked for good.
  int rc = in_child(
      [&] {
        std::string e = open_error(fifo);
        return e.find("not a regular file") != std::string::npos ? 0 : 1;
      },
      std::chrono::seconds(10));
  CHECK(rc == 0);
}

TEST_CASE("a state file writable by others or of another user is refused", "[state][hardening]") {
  ProvisionedChip t;
  REQUIRE(chmod(t.state.c_str(), 0666) == 0);
  CHECK_THAT(open_error(t.state), Catch::Contains("writable by other users"));
  REQUIRE(chmod(t.state.c_str(), 0600) == 0);
  CHECK(open_error(t.state).empty());
  if (geteuid() == 0) {  // only root can give a file away
    REQUIRE(chown(t.state.c_str(), 65534, 65534) == 0);
    CHECK_THAT(open_error(t.state), Catch::Contains("belongs to user 65534"));
  }
}

TEST_CASE("an oversized state file is refused before it is read", "[state][hardening]") {
  ProvisionedChip t;
  REQUIRE(truncate(t.state.c_str(), 8LL << 30) == 0);  // 8 GB, sparse
  CHECK_THAT(open_error(t.state), Catch::Contains("more than any chip state"));
}

TEST_CASE("temporaries are made with O_EXCL: one someone else made is never written through",
          "[state][hardening]") {
  ProvisionedChip t;
  Host h(t.open());
  REQUIRE(h.authenticate(t.admin_key) == 0);
  std::string victim = t.dir.file("victim");
  write_file(victim, Bytes{'k', 'e', 'e', 'p'});
  // Another user's process keeps planting PATH.tmp.<pid> (the old, guessable
  // name) as a symlink to a file of theirs while the chip writes its state.
  std::atomic<bool> stop{false};
  std::string planted = t.state + ".tmp." + std::to_string(getpid());
  std::thread attacker([&] {
    while (!stop) symlink(victim.c_str(), planted.c_str());
  });
  for (uint16_t i = 0; i < 100; ++i)
    h.ok(Command::CreateObject,
         payload::create(static_cast<uint16_t>(0x0300 + i), wire::ObjectType::Data,
                         wire::ObjectProperty::Persistent, admin_managed_rules(), 4));
  stop = true;
  attacker.join();
  unlink(planted.c_str());
  CHECK(read_file(victim) == Bytes{'k', 'e', 'e', 'p'});
  CHECK(open_error(t.state).empty());
}

TEST_CASE("a lock held by a process that never lets go is an error naming it",
          "[state][hardening]") {
  ProvisionedChip t;
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  pid_t holder = fork();
  if (holder == 0) {
    int fd = ::open((t.state + ".lock").c_str(), O_RDWR);
    if (fd < 0 || flock(fd, LOCK_EX) != 0) _exit(1);
    (void)!write(ready[1], "x", 1);
    pause();
    _exit(0);
  }
  char c;
  REQUIRE(read(ready[0], &c, 1) == 1);
  ShortLockTimeout timeout(std::chrono::milliseconds(300));
  std::string e = open_error(t.state);
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  CHECK_THAT(e, Catch::Contains(t.state + ".lock") &&
                    Catch::Contains("process " + std::to_string(holder)));
  CHECK(open_error(t.state).empty());  // the holder is gone: usable again
}

TEST_CASE("a child forked while a thread holds the lock never keeps it",
          "[state][hardening][fork]") {
  ProvisionedChip t;
  // The child of a parent that dies right after fork() while another thread
  // is inside a command: its copy of the lock descriptor kept the lock held
  // for good, and every process using the chip (the child too) blocked.
  int result[2];
  REQUIRE(pipe(result) == 0);
  int rc = in_child([&]() -> int {
    sim::SimCrypto crypto;
    auto file = sim::StateFile::open(t.state, crypto);
    std::mutex m;
    std::condition_variable cv;
    bool inside = false;
    std::thread command([&] {
      // A command that stays inside the lock (a transaction that waits).
      file->transact([&](sim::PersistentState&) {
        {
          std::lock_guard<std::mutex> l(m);
          inside = true;
        }
        cv.notify_all();
        std::this_thread::sleep_for(std::chrono::seconds(30));
        return false;
      });
    });
    {
      std::unique_lock<std::mutex> l(m);
      cv.wait(l, [&] { return inside; });
    }
    pid_t child = fork();
    if (child == 0) {
      // The parent dies now; this child and anyone else must get the chip.
      alarm(20);  // blocked for good (the bug): do not outlive the test
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      int ok = 1;
      try {
        Host h(t.open());
        h.ok(Command::Ping, Bytes{1});
        ok = 0;
      } catch (...) {
      }
      char c = static_cast<char>(ok);
      (void)!write(result[1], &c, 1);
      _exit(ok);
    }
    _exit(0);  // dies with its thread inside the command
  });
  close(result[1]);
  CHECK(rc == 0);
  pollfd p{result[0], POLLIN, 0};
  REQUIRE(poll(&p, 1, 10000) == 1);
  char c = 1;
  REQUIRE(read(result[0], &c, 1) == 1);
  CHECK(c == 0);
  close(result[0]);
  // And a process that comes later.
  Host later(t.open());
  later.ok(Command::Ping, Bytes{1});
}
