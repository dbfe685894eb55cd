// The cross-process lock: exclusive, blocking, and taken around every command
// of a Device whose link names a lock file.
#include "transport/file_lock.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "posix/file_locking.h"
#include "test/support/temp_chip.h"
#include "transport/errors.h"

using namespace maxq;
using maxq::testing::TempChip;
using maxq::testing::TempDir;

namespace {

// True when another open file description can take the lock right now.
bool lock_is_free(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return true;
  bool free = flock(fd, LOCK_EX | LOCK_NB) == 0;
  close(fd);
  return free;
}

// A link that names a lock file and checks that it is held during each exchange.
class LockCheckingLink : public transport::Link {
 public:
  LockCheckingLink(std::unique_ptr<transport::Link> inner, std::string lock)
      : inner_(std::move(inner)), lock_(std::move(lock)) {}
  Bytes transact(ByteView frame, size_t expected) override {
    ++exchanges;
    if (lock_is_free(lock_)) ++unlocked_exchanges;
    return inner_->transact(frame, expected);
  }
  void reset() override { inner_->reset(); }
  std::string describe() const override { return inner_->describe(); }
  std::string lock_path() const override { return lock_; }
  int exchanges = 0, unlocked_exchanges = 0;

 private:
  std::unique_ptr<transport::Link> inner_;
  std::string lock_;
};

}  // namespace

TEST_CASE("FileLock is exclusive and blocks until released", "[lock]") {
  TempDir dir;
  std::string path = dir.file("chip.lock");
  std::atomic<bool> second_has_it{false};
  std::thread other;
  {
    transport::FileLock first(path);
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_FALSE(lock_is_free(path));
    other = std::thread([&] {
      transport::FileLock second(path);
      second_has_it = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(second_has_it);
  }
  other.join();
  CHECK(second_has_it);
  CHECK(lock_is_free(path));
}

TEST_CASE("FileLock names the file it cannot open", "[lock]") {
  CHECK_THROWS_WITH(transport::FileLock("/nonexistent-dir/x.lock"),
                    Catch::Contains("/nonexistent-dir/x.lock"));
}

TEST_CASE("a Device holds its link's lock file during every command", "[lock]") {
  TempChip t;
  std::string lock = t.dir.file("bus.lock");
  auto inner = std::make_unique<transport::SpiLink>(
      std::make_unique<transport::SimBus>(sim::Chip::open(t.state)));
  auto link = std::make_unique<LockCheckingLink>(std::move(inner), lock);
  LockCheckingLink* checker = link.get();
  transport::Device dev(std::move(link));
  dev.ping(Bytes{1});
  dev.status();
  dev.random(3000);  // three commands
  CHECK(checker->exchanges == 5);
  CHECK(checker->unlocked_exchanges == 0);
  CHECK(lock_is_free(lock));  // released between commands
}

TEST_CASE("a child forked while another thread holds the device lock never keeps it",
          "[lock][fork]") {
  // A threaded parent inside an exclusive sequence (the unix: link's lock)
  // forks and dies: the child's copy of the descriptor used to keep the lock
  // held for good, so the child and every other process (maxq1061-tool
  // list) blocked in flock.
  TempDir dir;
  std::string path = dir.file("chip.lock");
  int result[2];
  REQUIRE(pipe(result) == 0);
  pid_t parent = fork();
  if (parent == 0) {
    std::atomic<bool> held{false};
    std::thread command([&] {
      transport::FileLock lock(path);
      held = true;
      std::this_thread::sleep_for(std::chrono::seconds(30));
    });
    while (!held) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (fork() == 0) {
      alarm(20);  // blocked for good (the bug): do not outlive the test
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the parent is gone
      char ok = 1;
      try {
        transport::FileLock mine(path);
        ok = 0;
      } catch (...) {
      }
      (void)!write(result[1], &ok, 1);
      _exit(0);
    }
    _exit(0);  // dies with its thread holding the lock
  }
  REQUIRE(parent > 0);
  close(result[1]);
  waitpid(parent, nullptr, 0);
  pollfd p{result[0], POLLIN, 0};
  REQUIRE(poll(&p, 1, 10000) == 1);
  char ok = 1;
  REQUIRE(read(result[0], &ok, 1) == 1);
  CHECK(ok == 0);
  close(result[0]);
  CHECK(lock_is_free(path));
}

TEST_CASE("a device lock nobody lets go of is an error naming the holder", "[lock]") {
  TempDir dir;
  std::string path = dir.file("chip.lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  REQUIRE(flock(fd, LOCK_EX) == 0);
  auto old = posix::lock_timeout();
  posix::set_lock_timeout(std::chrono::milliseconds(200));
  CHECK_THROWS_WITH(
      transport::FileLock(path),
      Catch::Contains(path) && Catch::Contains("process " + std::to_string(getpid())));
  posix::set_lock_timeout(old);
  close(fd);
}
