// Damaged bus traffic: retries recover, nothing wrong is ever returned.
#include <catch2/catch.hpp>

#include "test/support/software_ec.h"
#include "test/support/temp_chip.h"
#include "transport/errors.h"

using namespace maxq;
using maxq::testing::TempChip;

namespace {

struct SignFixture {
  TempChip t;
  std::unique_ptr<transport::Device> dev = t.open_device();
  transport::PublicKey pub;
  SignFixture() { pub = t.make_key(*dev, 0x0101); }
};

}  // namespace

// 1,000 signs: enough for the CRC to miss damage now and then (about one in
// 32,000 damaged frames) with the signature check catching it, and short enough
// for the FTDI-model suite, whose SDK chip-select windows cost an MPSSE
// round of commands per poll byte, under the sanitizers on two cores.
constexpr int kSigns = 1000;

TEST_CASE("1% corrupted bytes: 1,000 signs give good signatures or clear errors", "[faults]") {
  SignFixture f;
  maxq::testing::SoftwareEc sw;
  sim::Chip& chip = TempChip::chip_of(*f.dev);
  chip.faults().corrupt_bytes(0.01, 20261125);
  int good = 0, errors = 0, wrong = 0;
  Bytes digest(32);
  for (int i = 0; i < kSigns; ++i) {
    for (size_t k = 0; k < digest.size(); ++k) digest[k] = static_cast<uint8_t>(i * 7 + k);
    try {
      Bytes sig = f.dev->sign(0x0101, digest);
      if (sw.verify(wire::Curve::P256, f.pub.xy, digest, sig))
        ++good;
      else
        ++wrong;
    } catch (const transport::Error& e) {
      ++errors;
      CHECK(std::string(e.what()).find("sign with key 0x0101") != std::string::npos);
    }
  }
  INFO("good " << good << ", errors " << errors << ", wrong " << wrong);
  CHECK(wrong == 0);
  CHECK(good + errors == kSigns);
  CHECK(good > kSigns * 9 / 10);  // the bounded retry recovers most damaged exchanges
  CHECK(chip.counters().snapshot().frame_errors > 0);  // the chip did see damaged commands
}

TEST_CASE("dropped bytes are recovered by retries", "[faults]") {
  SignFixture f;
  TempChip::chip_of(*f.dev).faults().drop_bytes(0.002, 7);
  maxq::testing::SoftwareEc sw;
  int good = 0;
  for (int i = 0; i < 500; ++i) {
    try {
      if (sw.verify(wire::Curve::P256, f.pub.xy, Bytes(32, 3), f.dev->sign(0x0101, Bytes(32, 3))))
        ++good;
    } catch (const transport::Error&) {
    }
  }
  CHECK(good > 450);
}

TEST_CASE("a command the chip reports as damaged is sent again, even a create", "[faults]") {
  SignFixture f;
  sim::Chip& chip = TempChip::chip_of(*f.dev);
  sim::CounterSnapshot before;
  f.dev->as_admin(f.t.admin(), [&] {
    before = chip.counters().snapshot();
    chip.faults().fail_next_command(static_cast<uint16_t>(wire::Status::FrameError));
    f.dev->create_object(transport::ObjectSpec::data(0x0300, 16));
  });
  auto delta = chip.counters().snapshot() - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::CreateObject)) == 2);
  CHECK(f.dev->list_objects().size() == 4);
}

TEST_CASE("a forced error status reaches the caller", "[faults]") {
  SignFixture f;
  TempChip::chip_of(*f.dev).faults().fail_next_command(
      static_cast<uint16_t>(wire::Status::CryptoFailure));
  try {
    f.dev->sign(0x0101, Bytes(32, 1));
    FAIL("sign succeeded");
  } catch (const transport::ChipError& e) {
    CHECK(e.status() == static_cast<uint16_t>(wire::Status::CryptoFailure));
  }
  CHECK(f.dev->sign(0x0101, Bytes(32, 1)).size() == 64);
}

TEST_CASE("a chip busy for thousands of polls still answers one command, in few round trips",
          "[faults]") {
  SignFixture f;
  sim::Chip& chip = TempChip::chip_of(*f.dev);
  maxq::testing::SoftwareEc sw;
  auto before = chip.counters().snapshot();
  chip.faults().busy_for_polls(5000);
  Bytes digest(32, 0x42);
  CHECK(sw.verify(wire::Curve::P256, f.pub.xy, digest, f.dev->sign(0x0101, digest)));
  auto delta = chip.counters().snapshot() - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::SignVerify)) == 1);
  CHECK(delta.frame_errors == 0);  // no retry was needed
  // The SDK's windows: one for the 49-byte frame, then one per byte clocked
  // (the whole answer came back in poll windows).
  const uint64_t frame_bytes = 5 + 42 + 2;
  CHECK(delta.selects == 1 + (delta.bytes_to_chip - frame_bytes));
  CHECK(delta.bytes_from_chip < 5000 + 5000);  // batches grow, but not wastefully

  // Every answer late: each command still goes through once.
  chip.faults().always_busy_for_polls(300);
  before = chip.counters().snapshot();
  for (int i = 0; i < 20; ++i) CHECK(f.dev->random(32).size() == 32);
  delta = chip.counters().snapshot() - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::GetChallenge)) == 20);
  CHECK(delta.frame_errors == 0);
}

TEST_CASE("a damaged answer to a command that must not be repeated is reported, not repeated",
          "[faults]") {
  SignFixture f;
  sim::Chip& chip = TempChip::chip_of(*f.dev);
  // Heavy corruption: create object cannot be sent twice blindly (the first may have run).
  int reported = 0, created = 0;
  // Logged in before the bus goes bad; a damaged command leaves the role alone.
  f.dev->admin_authenticate(f.t.admin().sign(f.dev->challenge(wire::kAdminChallengeBytes)));
  chip.faults().corrupt_bytes(0.2, 99);
  for (uint16_t id = 0x0300; id < 0x0320; ++id) {
    auto before = chip.counters().snapshot();
    try {
      f.dev->create_object(transport::ObjectSpec::data(id, 8));
      ++created;
    } catch (const transport::ProtocolError& e) {
      ++reported;
      CHECK_THAT(e.what(),
                 Catch::Contains("create object") &&
                     (Catch::Contains("may have executed") || Catch::Contains("damaged in all")));
    } catch (const transport::Error&) {
      ++reported;  // e.g. a damaged command that the chip refused as another status
    }
    // Never executed twice (a FrameError answer means it was not executed at all).
    CHECK((chip.counters().snapshot() - before)
              .count(static_cast<uint8_t>(wire::Command::CreateObject)) <= 1);
  }
  CHECK(reported > 0);
  chip.faults().clear();
  CHECK(f.dev->ping(Bytes{1}) == Bytes{1});
}
