// The latency model on the chip's SPI face, timed by a virtual clock: chip time
// withholds the answer (idle bytes), bus time paces the bytes. Every time here
// is exact; nothing waits for the wall clock.
#include <algorithm>
#include <catch2/catch.hpp>

#include "simulator/chip.h"
#include "simulator/chip_clock.h"
#include "simulator/sim_test_support.h"
#include "wire/frame_codec.h"

using namespace maxq;
using namespace maxq::sim::testing;
using namespace std::chrono_literals;
using wire::Command;
using wire::Status;

namespace {

constexpr uint32_t kOneMHz = 1000000;  // 8 us a byte

Bytes clock_out(sim::Chip& chip, const Bytes& mosi) {
  Bytes miso(mosi.size());
  chip.transfer(mosi.data(), miso.data(), mosi.size());
  return miso;
}

Bytes sign_payload(uint16_t id) {
  return payload::sign_verify(wire::kModeSign, wire::Algorithm::EcdsaDigest, id, Bytes(32, 0x5A));
}

// Microseconds, for readable failures.
long long us(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

// A host that polls one byte at a time and notes when the answer started.
struct TimedAnswer {
  size_t idle = 0;                     // idle bytes clocked after the frame
  std::chrono::nanoseconds frame_end;  // clock after the frame's last byte
  std::chrono::nanoseconds sync_at;    // when the 0x55 started on the bus
  wire::ResponseFrame response;
};

TimedAnswer timed_exchange(sim::Chip& chip, sim::VirtualClock& clock, Command command,
                           const Bytes& payload, size_t max_polls = 100000) {
  TimedAnswer a;
  chip.select();
  clock_out(chip, wire::encode_command(command, payload));
  a.frame_end = clock.elapsed();
  uint8_t b = wire::kIdleByte;
  for (;; ++a.idle) {
    if (a.idle == max_polls) FAIL("no answer within " << max_polls << " polls");
    a.sync_at = clock.elapsed();  // the virtual bus is free now: the byte starts now
    b = chip.clock(wire::kPollByte);
    if (b == wire::kResponseSync) break;
    if (b != wire::kIdleByte) FAIL("a busy chip clocked out " << int(b));
  }
  Bytes rsp{b};
  Bytes header = clock_out(chip, Bytes(wire::kHeaderSize - 1, wire::kPollByte));
  rsp.insert(rsp.end(), header.begin(), header.end());
  Bytes rest =
      clock_out(chip, Bytes(wire::frame_size_from_header(rsp) - rsp.size(), wire::kPollByte));
  rsp.insert(rsp.end(), rest.begin(), rest.end());
  chip.deselect();
  REQUIRE(wire::decode_response(rsp, a.response) == wire::FrameError::None);
  return a;
}

// A chip with a P-256 key pair 0x0101 and a P-384 one 0x0102, made with the
// model off, then switched on at `hz` on a virtual clock.
struct TimedChip {
  ProvisionedChip t;
  std::unique_ptr<Host> host = std::make_unique<Host>(t.open());
  std::shared_ptr<sim::VirtualClock> clock = std::make_shared<sim::VirtualClock>();
  Bytes p256_xy, p384_xy;

  explicit TimedChip(uint32_t hz = kOneMHz) {
    REQUIRE(host->authenticate(t.admin_key) == st(Status::Ok));
    p256_xy = host->make_key_pair(0x0101, wire::Curve::P256);
    p384_xy = host->make_key_pair(0x0102, wire::Curve::P384);
    chip().enable_latency_model({hz, {}}, clock);
  }
  sim::Chip& chip() { return host->chip(); }
};

}  // namespace

TEST_CASE("latency: a sign answers only after 20 ms of chip time", "[chip][latency]") {
  TimedChip c;
  const Bytes frame = wire::encode_command(Command::SignVerify, sign_payload(0x0101));
  TimedAnswer a = timed_exchange(c.chip(), *c.clock, Command::SignVerify, sign_payload(0x0101));
  // The frame took its bus time; then 20 ms / 8 us = 2500 busy bytes, and the
  // answer starts exactly 20 ms after the frame's last byte.
  CHECK(us(a.frame_end) == static_cast<long long>(frame.size()) * 8);
  CHECK(a.idle == 2500);
  CHECK(us(a.sync_at - a.frame_end) == 20000);
  CHECK(a.response.status == st(Status::Ok));
  CHECK(a.response.payload.size() == 64);
  CHECK(RefCrypto().verify(wire::Curve::P256, c.p256_xy, Bytes(32, 0x5A), a.response.payload));
  // Every byte cost its bus time: frame, busy bytes, answer.
  CHECK(us(c.clock->elapsed()) ==
        static_cast<long long>(frame.size() + 2500 + wire::kHeaderSize + 64 + wire::kCrcSize) * 8);
}

TEST_CASE("latency: configured chip times replace the MODELLED ones", "[chip][latency]") {
  TimedChip c;
  c.chip().enable_latency_model({kOneMHz, sim::parse_chip_times("sign=4")}, c.clock);
  TimedAnswer a = timed_exchange(c.chip(), *c.clock, Command::SignVerify, sign_payload(0x0101));
  CHECK(us(a.sync_at - a.frame_end) == 4000);
  CHECK(a.idle == 500);
  CHECK(a.response.status == st(Status::Ok));
  // P-384 scales the configured time: 4 ms x 3.375.
  TimedAnswer b = timed_exchange(
      c.chip(), *c.clock, Command::SignVerify,
      payload::sign_verify(wire::kModeSign, wire::Algorithm::EcdsaDigest, 0x0102, Bytes(48, 0x5A)));
  // 13.5 ms is 1687.5 bytes at 1 MHz: the answer starts with the next whole byte.
  CHECK(us(b.sync_at - b.frame_end) == 13504);
}

TEST_CASE("latency: a host that waits instead of polling gets the answer at once",
          "[chip][latency]") {
  TimedChip c;
  sim::Chip& chip = c.chip();
  chip.select();
  clock_out(chip, wire::encode_command(Command::SignVerify, sign_payload(0x0101)));
  SECTION("waited long enough") {
    c.clock->advance(20ms);  // the host does something else meanwhile
    CHECK(chip.clock(wire::kPollByte) == wire::kResponseSync);
  }
  SECTION("1 ns too early") {
    c.clock->advance(20ms - 1ns);
    CHECK(chip.clock(wire::kPollByte) == wire::kIdleByte);
    CHECK(chip.clock(wire::kPollByte) == wire::kResponseSync);  // 8 us later
  }
  chip.deselect();
}

TEST_CASE("latency: P-384 operations take (48/32)^3 times as long", "[chip][latency]") {
  TimedChip c(2000000);  // 4 us a byte: 67.5 ms is a whole number of bytes
  TimedAnswer sign = timed_exchange(c.chip(), *c.clock, Command::SignVerify, sign_payload(0x0102));
  CHECK(sign.response.status == st(Status::Ok));
  CHECK(sign.response.payload.size() == 96);
  CHECK(us(sign.sync_at - sign.frame_end) == 67500);
  CHECK(sign.idle == 16875);

  // Key generation is timed on the generated key's curve.
  REQUIRE(c.host->status(Command::CreateObject,
                         payload::create(0x0201, wire::ObjectType::KeyPair,
                                         wire::ObjectProperty::Temporary, open_rules(), 144)) ==
          st(Status::Ok));
  Bytes body = payload::descriptor(wire::Curve::P384);
  TimedAnswer gen =
      timed_exchange(c.chip(), *c.clock, Command::ImportKey,
                     payload::signed_import(
                         0x0201, body, RefCrypto().sign_sha256(c.host->key_import_pem(), body)));
  CHECK(gen.response.status == st(Status::Ok));
  // 74.25 ms, up to the start of the next 4 us byte.
  CHECK(us(gen.sync_at - gen.frame_end) == 74252);

  // ECDH on the P-384 key.
  TimedAnswer kex = timed_exchange(c.chip(), *c.clock, Command::KeyExchange,
                                   payload::key_exchange(0x0201, c.p384_xy));
  CHECK(kex.response.status == st(Status::Ok));
  CHECK(kex.response.payload.size() == 48);
  CHECK(us(kex.sync_at - kex.frame_end) == 67500);
}

TEST_CASE("latency: commands that are not EC work take their own time", "[chip][latency]") {
  TimedChip c;
  TimedAnswer ping = timed_exchange(c.chip(), *c.clock, Command::Ping, Bytes{1, 2, 3});
  CHECK(ping.response.payload == Bytes({1, 2, 3}));
  // 0.3 ms is 37.5 bytes: byte 37 starts at 296 us (busy), byte 38 at 304 us.
  CHECK(ping.idle == 38);
  TimedAnswer random = timed_exchange(c.chip(), *c.clock, Command::GetRandom, payload::u16(32));
  CHECK(random.response.payload.size() == 32);
  CHECK(us(random.sync_at - random.frame_end) == 504);  // 0.5 ms, next 8 us byte
  // Get challenge is the MAXQ106x random source: the same class.
  TimedAnswer challenge =
      timed_exchange(c.chip(), *c.clock, Command::GetChallenge, payload::u16(32));
  CHECK(challenge.response.payload.size() == 32);
  CHECK(us(challenge.sync_at - challenge.frame_end) == 504);
  // A refused sign (no such key) is timed as a P-256 sign: the curve is unknown.
  TimedAnswer refused =
      timed_exchange(c.chip(), *c.clock, Command::SignVerify, sign_payload(0x0777));
  CHECK(refused.response.status == st(Status::NotFound));
  CHECK(us(refused.sync_at - refused.frame_end) == 20000);
}

TEST_CASE("latency: clocking n bytes takes n * 8 / spi_clock_hz", "[chip][latency]") {
  TimedChip c;
  sim::Chip& chip = c.chip();
  SECTION("one transfer") {
    clock_out(chip, Bytes(1000, wire::kPollByte));  // deselected: idle bytes, but clocked
    CHECK(us(c.clock->elapsed()) == 8000);
    CHECK(c.clock->sleeps() == 1);
  }
  SECTION("many small transfers cost their sum") {
    for (int i = 0; i < 100; ++i) clock_out(chip, Bytes(10, wire::kPollByte));
    for (int i = 0; i < 10; ++i) chip.clock(wire::kPollByte);
    CHECK(us(c.clock->elapsed()) == 1010 * 8);
  }
  SECTION("time the host spends elsewhere is not bus time") {
    clock_out(chip, Bytes(10, wire::kPollByte));
    c.clock->advance(1ms);
    clock_out(chip, Bytes(10, wire::kPollByte));
    CHECK(us(c.clock->elapsed()) == 80 + 1000 + 80);
  }
}

namespace {
// Oversleeps every deadline by 100 us, like a loaded machine.
class OversleepingClock final : public sim::ChipClock {
 public:
  time_point now() override { return now_; }
  void sleep_until(time_point t) override { now_ = std::max(now_, t) + 100us; }

 private:
  time_point now_{};
};
}  // namespace

TEST_CASE("latency: oversleeping does not add up over many transfers", "[chip][latency]") {
  ProvisionedChip t;
  auto chip = t.open();
  auto clock = std::make_shared<OversleepingClock>();
  chip->enable_latency_model({kOneMHz, {}}, clock);
  for (int i = 0; i < 100; ++i) clock_out(*chip, Bytes(10, wire::kPollByte));
  // 8 ms of bus time; at most one oversleep shows (not 100 of them).
  auto elapsed = us(clock->now().time_since_epoch());
  CHECK(elapsed >= 8000);
  CHECK(elapsed <= 8000 + 100);
}

TEST_CASE("latency off: no chip time, no bus time", "[chip][latency]") {
  ProvisionedChip t;
  Host host(t.open());
  REQUIRE(host.authenticate(t.admin_key) == st(Status::Ok));
  host.make_key_pair(0x0101, wire::Curve::P256);
  // The answer follows the frame at once (one poll), as without a model.
  auto rsp =
      exchange(host.chip(), static_cast<uint8_t>(Command::SignVerify), sign_payload(0x0101), 1);
  CHECK(rsp.status == st(Status::Ok));
  CHECK(exchange(host.chip(), static_cast<uint8_t>(Command::Ping), Bytes{9}, 1).payload ==
        Bytes{9});
}

TEST_CASE("latency: faults still work with the model on", "[chip][latency][faults]") {
  TimedChip c;
  sim::Chip& chip = c.chip();
  SECTION("busy polls come on top of the chip time") {
    chip.faults().busy_for_polls(37);
    TimedAnswer a = timed_exchange(chip, *c.clock, Command::SignVerify, sign_payload(0x0101));
    CHECK(a.idle == 2500 + 37);
    CHECK(a.response.status == st(Status::Ok));
  }
  SECTION("a forced status comes after the command's time") {
    chip.faults().fail_next_command(st(Status::CryptoFailure));
    TimedAnswer a = timed_exchange(chip, *c.clock, Command::SignVerify, sign_payload(0x0101));
    CHECK(a.response.status == st(Status::CryptoFailure));
    CHECK(us(a.sync_at - a.frame_end) == 20000);
  }
  SECTION("a damaged frame is refused at once") {
    Bytes frame = wire::encode_command(Command::Ping, Bytes{1});
    frame.back() ^= 0xFF;  // CRC
    chip.select();
    clock_out(chip, frame);
    Bytes out = clock_out(chip, Bytes(wire::kHeaderSize + wire::kCrcSize, wire::kPollByte));
    chip.deselect();
    CHECK(out == wire::encode_response(Status::FrameError, {}));
  }
  SECTION("a silent chip stays silent, and its bytes still take bus time") {
    chip.faults().go_silent(true);
    chip.select();
    Bytes frame = wire::encode_command(Command::Ping, Bytes{1});
    clock_out(chip, frame);
    Bytes out = clock_out(chip, Bytes(5000, wire::kPollByte));
    chip.deselect();
    CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == wire::kIdleByte; }));
    CHECK(us(c.clock->elapsed()) == static_cast<long long>(frame.size() + 5000) * 8);
  }
  SECTION("corrupted bytes still reach the wire, in their bus time") {
    chip.faults().corrupt_bytes(1.0, 7);  // every byte on the wire
    chip.select();
    clock_out(chip, wire::encode_command(Command::Ping, Bytes{1}));
    Bytes out = clock_out(chip, Bytes(100, wire::kPollByte));
    chip.deselect();
    // Every byte either way is replaced: the chip saw no command, the host
    // no idle bytes.
    CHECK(std::none_of(out.begin(), out.end(), [](uint8_t b) { return b == wire::kIdleByte; }));
    CHECK(us(c.clock->elapsed()) ==
          static_cast<long long>(wire::encode_command(Command::Ping, Bytes{1}).size() + 100) * 8);
  }
}
