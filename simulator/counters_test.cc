// Command and byte counters, shared with other processes through a mapped file.
#include "simulator/counters.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;

TEST_CASE("the chip counts commands by code and bytes both ways", "[counters]") {
  ProvisionedChip t;
  Host h(t.open());
  sim::CounterSnapshot before = h.chip().counters().snapshot();
  h.ok(Command::Ping, Bytes{1, 2, 3});
  h.ok(Command::GetRandom, payload::u16(100));
  h.ok(Command::GetRandom, payload::u16(1));
  h.status(Command::SignVerify, Bytes{1});  // answered with an error: still counted
  sim::CounterSnapshot d = h.chip().counters().snapshot() - before;
  CHECK(d.count(static_cast<uint8_t>(Command::Ping)) == 1);
  CHECK(d.count(static_cast<uint8_t>(Command::GetRandom)) == 2);
  CHECK(d.count(static_cast<uint8_t>(Command::SignVerify)) == 1);
  CHECK(d.total_commands() == 4);
  CHECK(d.selects == 4);
  CHECK(d.frame_errors == 0);
  // The test host clocks exactly frame + polls + response: per command the
  // command frame (7 + n), one poll that returns 0x55, then 4 + LEN + 2.
  const uint64_t expected =
      (7 + 3 + 1 + 4 + 3 + 2) + 2 * (7 + 2 + 1 + 4 + 2) + 100 + 1 + (7 + 1 + 1 + 4 + 0 + 2);
  CHECK(d.bytes_to_chip == expected);
  CHECK(d.bytes_from_chip == expected);

  Bytes bad = wire::encode_command(Command::Ping, Bytes{1});
  bad.back() ^= 1;
  sim::Chip& chip = h.chip();
  Bytes miso(bad.size() + 16);
  bad.resize(miso.size(), wire::kPollByte);
  chip.select();
  chip.transfer(bad.data(), miso.data(), bad.size());
  chip.deselect();
  CHECK((chip.counters().snapshot() - before).frame_errors == 1);
}

TEST_CASE("another process reads the counters from the file", "[counters]") {
  ProvisionedChip t;
  const std::string file = t.state + ".counters";
  sim::CounterSnapshot zero = sim::Counters::read_file(file);  // exists from provisioning
  CHECK(zero.total_commands() == 0);
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 1;
    try {
      Host child(t.open());
      for (int i = 0; i < 5; ++i) child.ok(Command::Ping, Bytes{1});
      child.ok(Command::GetStatus);
      rc = 0;
    } catch (...) {
    }
    _exit(rc);
  }
  REQUIRE(pid > 0);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  sim::CounterSnapshot d = sim::Counters::read_file(file) - zero;
  CHECK(d.count(static_cast<uint8_t>(Command::Ping)) == 5);
  CHECK(d.count(static_cast<uint8_t>(Command::GetStatus)) == 1);
  CHECK(d.bytes_to_chip > 0);
  // And a chip in this process adds to the same counters.
  Host h(t.open());
  h.ok(Command::Ping, Bytes{});
  CHECK((sim::Counters::read_file(file) - zero).count(static_cast<uint8_t>(Command::Ping)) == 6);
}

TEST_CASE("counter files that are missing or foreign are reported, never clobbered", "[counters]") {
  TempDir dir;
  CHECK_THROWS_WITH(sim::Counters::read_file(dir.file("none")), Catch::Contains(dir.file("none")));
  Bytes foreign(4096, 'x');
  write_file(dir.file("foreign"), foreign);
  CHECK_THROWS_WITH(sim::Counters::read_file(dir.file("foreign")),
                    Catch::Contains("not a chip counter file"));
  // A chip whose counter file is foreign counts in memory and leaves the file alone.
  auto counters = sim::Counters::open_shared(dir.file("foreign"));
  counters->add_command(0xF7);
  CHECK(counters->snapshot().count(0xF7) == 1);
  CHECK(read_file(dir.file("foreign")) == foreign);
  auto memory = sim::Counters::in_memory();
  memory->add_bytes(3, 4);
  memory->add_select();
  CHECK(memory->snapshot().bytes_to_chip == 3);
  CHECK(memory->snapshot().bytes_from_chip == 4);
  CHECK(memory->snapshot().selects == 1);
}

TEST_CASE("a truncated counter file stops the counting there, never the chip (no SIGBUS)",
          "[counters]") {
  ProvisionedChip t;
  const std::string file = t.state + ".counters";
  // In a child: with a mapped counter file the next command died of SIGBUS.
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 1;
    try {
      Host h(t.open());
      h.ok(Command::Ping, Bytes{1});
      if (truncate(file.c_str(), 0) != 0) _exit(2);
      for (int i = 0; i < 3; ++i) h.ok(Command::Ping, Bytes{1});
      // Counted in memory from then on.
      rc = h.chip().counters().snapshot().count(static_cast<uint8_t>(Command::Ping)) >= 3 ? 0 : 3;
      if (truncate(file.c_str(), 100) != 0) _exit(2);  // shorter than a counter block
      h.ok(Command::GetStatus);
    } catch (...) {
      rc = 4;
    }
    _exit(rc);
  }
  REQUIRE(pid > 0);
  int status = 0;
  waitpid(pid, &status, 0);
  INFO("child status " << status);
  REQUIRE_FALSE(WIFSIGNALED(status));
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_THROWS_WITH(sim::Counters::read_file(file), Catch::Contains("not a chip counter file"));
}
