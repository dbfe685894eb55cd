// The chip's SPI face: framing, idle bytes, busy polls, chip-select windows,
// damaged frames, and faults on the bytes on the wire.
#include <algorithm>
#include <catch2/catch.hpp>

#include "simulator/chip.h"
#include "simulator/sim_test_support.h"
#include "wire/frame_codec.h"
#include "wire/object_layout.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Status;

namespace {

Bytes clock_out(sim::Chip& chip, const Bytes& mosi) {
  Bytes miso(mosi.size());
  chip.transfer(mosi.data(), miso.data(), mosi.size());
  return miso;
}
Bytes polls(size_t n) {
  return Bytes(n, wire::kPollByte);
}
bool all_idle(const Bytes& b) {
  return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == wire::kIdleByte; });
}
size_t object_count(sim::Chip& chip) {
  return wire::decode_id_list(
             exchange(chip, static_cast<uint8_t>(Command::ListObjects), Bytes{0x01}).payload)
      .size();
}
// One chip-select window.
Bytes window(sim::Chip& chip, const Bytes& mosi) {
  chip.select();
  Bytes miso = clock_out(chip, mosi);
  chip.deselect();
  return miso;
}

}  // namespace

TEST_CASE("the chip answers the published ping exchange byte for byte", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  Bytes frame = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};
  chip->select();
  CHECK(all_idle(clock_out(*chip, frame)));  // idle while the command arrives
  CHECK(clock_out(*chip, polls(11)) ==
        Bytes({0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32}));
  CHECK(all_idle(clock_out(*chip, polls(16))));  // idle after the response
  chip->deselect();
}

TEST_CASE("busy polls delay the response by exactly that many idle bytes", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  Bytes frame = wire::encode_command(Command::Ping, Bytes{7});
  chip->faults().busy_for_polls(37);
  chip->select();
  clock_out(*chip, frame);
  Bytes out = clock_out(*chip, polls(37 + 8));
  chip->deselect();
  CHECK(all_idle(Bytes(out.begin(), out.begin() + 37)));
  CHECK(Bytes(out.begin() + 37, out.end()) == wire::encode_response(Status::Ok, Bytes{7}));
  // One-shot: the next command answers at once.
  CHECK(exchange(*chip, 0xF7, Bytes{1}, 1).payload == Bytes{1});
  // Always busy: every command waits.
  chip->faults().always_busy_for_polls(20);
  CHECK_THROWS_WITH(exchange(*chip, 0xF7, Bytes{1}, 20), Catch::Contains("did not answer"));
  CHECK(exchange(*chip, 0xF7, Bytes{1}, 21).payload == Bytes{1});
  chip->faults().clear();
  CHECK(exchange(*chip, 0xF7, Bytes{1}, 1).payload == Bytes{1});
}

TEST_CASE("an answer waits across chip-select windows and resumes where it left off",
          "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  Bytes data(20, 9);
  Bytes answer = wire::encode_response(Status::Ok, data);
  CHECK(all_idle(window(*chip, wire::encode_command(Command::Ping, data))));
  // Any split of the answer into windows gives the same bytes: one, two, three at a time.
  Bytes got;
  for (size_t n = 1; got.size() < answer.size(); n = n % 3 + 1)
    for (uint8_t b : window(*chip, Bytes(std::min(n, answer.size() - got.size()), 0x00)))
      got.push_back(b);
  CHECK(got == answer);
  // Then idle: nothing is pending any more.
  CHECK(all_idle(window(*chip, polls(1))));
}

TEST_CASE("a window that starts with 0xAA drops a pending answer (MODELLED)", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  window(*chip, wire::encode_command(Command::Ping, Bytes(20, 9)));
  CHECK(window(*chip, polls(3)) == Bytes({0x55, 0x00, 0x00}));  // partly read, then abandoned
  Bytes second = wire::encode_command(Command::Ping, Bytes{5});
  Bytes during = window(*chip, second);
  // Full duplex: the first byte of that window was already the old answer's next one.
  CHECK(during[0] == 0x00);
  CHECK(all_idle(Bytes(during.begin() + 1, during.end())));
  Bytes answer = window(*chip, polls(8));
  CHECK(answer == wire::encode_response(Status::Ok, Bytes{5}));
}

TEST_CASE("with nothing pending, a window of polls is read as a damaged frame", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  Bytes out = window(*chip, polls(8));
  CHECK(all_idle(Bytes(out.begin(), out.begin() + 5)));
  CHECK(Bytes(out.begin() + 5, out.end()) == Bytes({0x55, 0x10, 0x02}));
  // The rest of that answer follows in the next window, like any answer.
  Bytes rest = window(*chip, polls(4));
  Bytes whole = {0x55, 0x10, 0x02};
  whole.insert(whole.end(), rest.begin(), rest.end());
  CHECK(whole == wire::encode_response(Status::FrameError, {}));
  // Single-byte poll windows with nothing pending stay idle: each is a frame
  // cut short by chip select, never executed.
  auto before = chip->counters().snapshot();
  for (int i = 0; i < 10; ++i) CHECK(all_idle(window(*chip, polls(1))));
  CHECK((chip->counters().snapshot() - before).frame_errors == 0);
  CHECK(exchange(*chip, 0xF7, Bytes{5}).payload == Bytes{5});
}

TEST_CASE("a rising chip select discards a half-received command", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  auto before = chip->counters().snapshot();
  Bytes frame = wire::encode_command(Command::Ping, Bytes(10, 1));
  chip->select();
  clock_out(*chip, Bytes(frame.begin(), frame.begin() + 9));
  chip->deselect();
  CHECK((chip->counters().snapshot() - before).total_commands() == 0);
  // The next window starts from nothing: a whole frame is one command.
  CHECK(exchange(*chip, 0xF7, Bytes{6}).payload == Bytes{6});
  CHECK((chip->counters().snapshot() - before).total_commands() == 1);
}

TEST_CASE("one command per chip-select window", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  chip->select();
  clock_out(*chip, wire::encode_command(Command::Ping, Bytes{1}));
  clock_out(*chip, polls(8));
  // A second frame in the same window is not looked at.
  CHECK(all_idle(clock_out(*chip, wire::encode_command(Command::Ping, Bytes{2}))));
  CHECK(all_idle(clock_out(*chip, polls(16))));
  chip->deselect();
  CHECK(chip->counters().snapshot().count(0xF7) == 1);
}

TEST_CASE("damaged frames are answered with FrameError and not executed", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  auto first_sync = [&](const Bytes& frame, size_t extra) {
    chip->select();
    Bytes all = clock_out(*chip, frame);
    Bytes out = clock_out(*chip, polls(extra));
    chip->deselect();
    all.insert(all.end(), out.begin(), out.end());
    auto it = std::find(all.begin(), all.end(), wire::kResponseSync);
    REQUIRE(all.end() - it >= 7);
    wire::ResponseFrame r;
    REQUIRE(wire::decode_response(Bytes(it, it + 7), r) == wire::FrameError::None);
    CHECK(r.status == st(Status::FrameError));
    return static_cast<size_t>(it - all.begin());
  };
  auto before = chip->counters().snapshot();
  // A bad CRC is found after the last byte: the answer follows the frame.
  Bytes create = wire::encode_command(
      Command::CreateObject, payload::create(0x0300, wire::ObjectType::Data,
                                             wire::ObjectProperty::Temporary, open_rules(), 8));
  create.back() ^= 0x01;
  CHECK(first_sync(create, 16) == create.size());
  // A bad sync or an over-long length: answered right after the 5-byte header.
  CHECK(first_sync(Bytes{0xAB, 0x00, 0xF7, 0x00, 0x00}, 16) == 5);
  CHECK(first_sync(Bytes{0xAA, 0x01, 0xF7, 0x00, 0x00}, 16) == 5);
  CHECK(first_sync(Bytes{0xAA, 0x00, 0xF7, 0x08, 0xFD}, 16) == 5);  // 2301 > 2300
  auto delta = chip->counters().snapshot() - before;
  CHECK(delta.frame_errors == 4);
  CHECK(delta.total_commands() == 0);
  CHECK(object_count(*chip) == 2);  // the damaged create did not run
}

TEST_CASE("the largest frame is accepted", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  Bytes big(wire::kMaxPayload, 0x5A);
  CHECK(exchange(*chip, 0xF7, big).payload == big);
}

TEST_CASE("a forced status answers without executing", "[chip][spi]") {
  ProvisionedChip t;
  Host host(t.open());
  REQUIRE(host.authenticate(t.admin_key) == 0);
  host.chip().faults().fail_next_command(st(Status::MemoryFull));
  Bytes create = payload::create(0x0300, wire::ObjectType::Data, wire::ObjectProperty::Persistent,
                                 open_rules(), 8);
  CHECK(host.status(Command::CreateObject, create) == st(Status::MemoryFull));
  CHECK(object_count(host.chip()) == 2);
  CHECK(host.status(Command::CreateObject, create) == 0);  // only the next one failed
  CHECK(object_count(host.chip()) == 3);
}

TEST_CASE("a silent chip runs the command but never answers", "[chip][spi]") {
  ProvisionedChip t;
  Host host(t.open());
  REQUIRE(host.authenticate(t.admin_key) == 0);
  host.chip().faults().go_silent(true);
  Bytes create = payload::create(0x0300, wire::ObjectType::Data, wire::ObjectProperty::Persistent,
                                 open_rules(), 8);
  CHECK_THROWS_WITH(host.send(Command::CreateObject, create), Catch::Contains("did not answer"));
  host.chip().faults().go_silent(false);
  CHECK(object_count(host.chip()) == 3);
}

TEST_CASE("corrupted bytes on the bus never yield a wrong answer", "[chip][spi][faults]") {
  ProvisionedChip t;
  auto chip = t.open();
  chip->faults().corrupt_bytes(0.01, 1061);
  int good = 0, detected = 0;
  for (int i = 0; i < 400; ++i) {
    Bytes data(24, static_cast<uint8_t>(i));
    try {
      wire::ResponseFrame r = exchange(*chip, 0xF7, data, 64);
      if (r.status == st(Status::FrameError)) {
        ++detected;  // the chip saw a damaged command
      } else {
        REQUIRE(r.status == 0);
        REQUIRE(r.payload == data);  // what passes the CRC is what was sent
        ++good;
      }
    } catch (const std::runtime_error&) {
      ++detected;  // the host saw a damaged or missing response
    }
  }
  INFO("good " << good << ", detected " << detected);
  CHECK(good + detected == 400);
  CHECK(good > 100);
  CHECK(detected > 50);
  CHECK(chip->counters().snapshot().frame_errors > 0);
}

TEST_CASE("dropped bytes on the bus never yield a wrong answer", "[chip][spi][faults]") {
  ProvisionedChip t;
  auto chip = t.open();
  chip->faults().drop_bytes(0.01, 7);
  int good = 0, failed = 0;
  for (int i = 0; i < 300; ++i) {
    Bytes data(24, static_cast<uint8_t>(i));
    try {
      wire::ResponseFrame r = exchange(*chip, 0xF7, data, 256);
      if (r.status == 0) {
        REQUIRE(r.payload == data);
        ++good;
      } else {
        ++failed;
      }
    } catch (const std::runtime_error&) {
      ++failed;
    }
  }
  INFO("good " << good << ", failed " << failed);
  CHECK(good > 150);
  CHECK(failed > 10);
  chip->faults().clear();
  CHECK(exchange(*chip, 0xF7, Bytes{3}).payload == Bytes{3});
}

TEST_CASE("a state file damaged under a running chip is reported, never rewritten", "[chip][spi]") {
  ProvisionedChip t;
  auto chip = t.open();
  CHECK(exchange(*chip, 0xF7, Bytes{1}).status == 0);
  Bytes garbage(300, 'x');
  write_file(t.state, garbage);
  CHECK_THROWS_AS(exchange(*chip, 0xC9, payload::u16(8)), sim::StateError);
  CHECK_THROWS_WITH(exchange(*chip, 0xC9, payload::u16(8)),
                    Catch::Contains(t.state) && Catch::Contains("bad magic"));
  CHECK(read_file(t.state) == garbage);
  // The window was voided: after a clean chip-select the bus works again.
  chip->deselect();
  chip->select();
  CHECK(all_idle(clock_out(*chip, polls(4))));
  chip->deselect();
}
