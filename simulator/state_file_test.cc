// Persistence: processes share one chip, writes are atomic under SIGKILL,
// damaged files are refused and left untouched.
#include "simulator/state_file.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "simulator/chip.h"
#include "test/support/temp_chip.h"

using namespace maxq;
using maxq::testing::TempChip;

namespace {

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}
void write_file(const std::string& path, const Bytes& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

std::vector<uint16_t> ids(transport::Device& dev) {
  std::vector<uint16_t> out;
  for (const auto& o : dev.list_objects()) out.push_back(o.id);
  return out;
}

}  // namespace

TEST_CASE("two processes see each other's objects", "[state]") {
  TempChip t;
  auto parent = t.open_device();
  t.authenticate(*parent);
  parent->create_object(transport::ObjectSpec::data(0x0300, 8));
  pid_t pid = fork();
  if (pid == 0) {
    // The child: its own chip session on the same state file.
    int rc = 1;
    try {
      auto child = t.open_device();
      auto seen = ids(*child);
      bool sees_parent = std::find(seen.begin(), seen.end(), 0x0300) != seen.end();
      t.authenticate(*child);
      child->create_object(transport::ObjectSpec::data(0x0301, 8));
      rc = sees_parent ? 0 : 2;
    } catch (...) {
      rc = 3;
    }
    _exit(rc);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  auto seen = ids(*parent);  // the parent's session re-reads the changed file
  CHECK(std::find(seen.begin(), seen.end(), 0x0301) != seen.end());
}

TEST_CASE("a writer killed at any point leaves the old or the new state", "[state]") {
  TempChip t;
  std::mt19937 rng(1061);
  int completed_somewhere = 0;
  for (int round = 0; round < 60; ++round) {
    size_t before = t.open_device()->list_objects().size();
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(ready[0]);
      try {
        auto dev = t.open_device();
        t.authenticate(*dev);
        for (uint16_t id = static_cast<uint16_t>(0x2000 + round * 64);; ++id) {
          dev->create_object(transport::ObjectSpec::data(id, 4));
          if (ready[1] >= 0) {  // the first object is written: the parent may start the clock
            (void)!write(ready[1], "x", 1);
            close(ready[1]);
            ready[1] = -1;
          }
        }
      } catch (...) {
      }
      _exit(0);
    }
    close(ready[1]);
    char byte;
    REQUIRE(read(ready[0], &byte, 1) == 1);
    close(ready[0]);
    // Somewhere inside one of the following writes (each takes ~100 us).
    usleep(std::uniform_int_distribution<useconds_t>(0, 3000)(rng));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    // Whatever moment the kill hit, the file opens and holds a consistent set.
    std::unique_ptr<transport::Device> dev;
    REQUIRE_NOTHROW(dev = t.open_device());
    auto objects = dev->list_objects();
    CHECK(objects.size() >= before);
    if (objects.size() > before) ++completed_somewhere;
    // Keep the chip from filling up.
    if (objects.size() > 200) {
      t.authenticate(*dev);
      for (const auto& o : objects)
        if (o.id >= 0x2000) dev->delete_object(o.id);
    }
  }
  CHECK(completed_somewhere == 60);  // every child wrote before it was killed
}

TEST_CASE("damaged state files are refused and left as they are", "[state]") {
  TempChip t;
  Bytes good = read_file(t.state);
  auto expect_refused = [&](const Bytes& content, const char* what) {
    INFO(what);
    write_file(t.state, content);
    CHECK_THROWS_WITH(sim::Chip::open(t.state), Catch::Contains(t.state));
    CHECK(read_file(t.state) == content);
  };
  expect_refused(Bytes(good.begin(), good.begin() + static_cast<long>(good.size() / 2)), "truncated");
  Bytes flipped = good;
  flipped[good.size() / 3] ^= 0x10;
  expect_refused(flipped, "bit flip");
  expect_refused(Bytes(), "empty");
  expect_refused(Bytes(500, 'x'), "foreign");
  write_file(t.state, good);
  CHECK_NOTHROW(sim::Chip::open(t.state));
}

TEST_CASE("provisioning never overwrites", "[state]") {
  TempChip t;
  Bytes before = read_file(t.state);
  CHECK_THROWS_WITH(sim::Chip::provision(t.state, t.dir.file("other.pem")), Catch::Contains("already exists"));
  CHECK_THROWS_WITH(sim::Chip::provision(t.dir.file("new.state"), t.admin_key), Catch::Contains("already exists"));
  CHECK(read_file(t.state) == before);
  struct stat st {};
  REQUIRE(stat(t.admin_key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Every chip gets its own serial.
  TempChip other;
  CHECK(other.provisioned.serial != t.provisioned.serial);
}

TEST_CASE("counters are visible to other processes", "[state]") {
  TempChip t;
  auto dev = t.open_device();
  auto before = sim::Counters::read_file(t.state + ".counters");
  dev->ping(Bytes{1, 2});
  dev->random(10);
  auto delta = sim::Counters::read_file(t.state + ".counters") - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::Ping)) == 1);
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::GetRandom)) == 1);
  CHECK(delta.total_commands() == 2);
  CHECK(delta.bytes_to_chip == delta.bytes_from_chip);
  CHECK(delta.bytes_to_chip >= 2 * (wire::kHeaderSize + wire::kCrcSize) * 2);
}
