// The cross-process lock: exclusive, blocking, and taken around every command
// of a Device whose link names a lock file.
#include "transport/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

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
