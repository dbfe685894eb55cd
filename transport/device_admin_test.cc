// Device::as_admin: an admin session is get challenge (16), admin
// authenticate, the body's commands and admin reset, with nothing of another
// thread in between, and the reset is sent whatever the body does.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "transport/device.h"
#include "transport/recording_bus.h"

using namespace maxq;
using maxq::testing::hex;
using maxq::testing::RecordedChip;
using transport::ObjectSpec;
using wire::Command;

namespace {

bool admin_denied(transport::Device& dev, uint16_t id) {
  try {
    dev.create_object(ObjectSpec::data(id, 16));
  } catch (const transport::ChipError& e) {
    return e.status() == static_cast<uint16_t>(wire::Status::AccessDenied);
  }
  return false;
}

// The login frame: pass 01, ECDSA-SHA256, key 1001, two reserved words, a
// 64-byte signature.
void check_login(const wire::CommandFrame& f) {
  CHECK(f.command == static_cast<uint8_t>(Command::AdminAuthenticate));
  REQUIRE(f.payload.size() == 10 + 64);
  CHECK(Bytes(f.payload.begin(), f.payload.begin() + 10) == hex("01 0A 10 01 00 00 00 00 00 40"));
}

}  // namespace

TEST_CASE("as_admin: challenge(16), login, the body's commands, admin reset", "[device][admin]") {
  RecordedChip r;
  r.dev->as_admin(r.t.admin(), [&] {
    r.dev->create_object(ObjectSpec::data(0x0300, 16));
    r.dev->ping(Bytes{1});
  });
  auto frames = r.bus->frames();
  REQUIRE(frames.size() == 5);
  // Get challenge with length 16, byte for byte as in §7.
  CHECK(r.bus->raw_frames()[0] == hex("AA 00 C7 00 02 00 10 1F D7"));
  check_login(frames[1]);
  CHECK(frames[2].command == static_cast<uint8_t>(Command::CreateObject));
  CHECK(frames[3].command == static_cast<uint8_t>(Command::Ping));
  // Admin reset, byte for byte as in §7.
  CHECK(r.bus->raw_frames()[4] == hex("AA 00 C2 00 01 03 64 23"));
  // The session really was admin, and is no longer.
  CHECK(r.dev->object_info(0x0300).length == 16);
  CHECK(admin_denied(*r.dev, 0x0301));
}

TEST_CASE("as_admin sends the reset when the body throws, and the body's error goes on",
          "[device][admin]") {
  RecordedChip r;
  std::vector<Command> expected = {Command::GetChallenge, Command::AdminAuthenticate,
                                   Command::CreateObject};
  SECTION("any exception") {
    CHECK_THROWS_WITH(r.dev->as_admin(r.t.admin(),
                                      [&] {
                                        r.dev->create_object(ObjectSpec::data(0x0300, 16));
                                        throw std::runtime_error("the body failed");
                                      }),
                      "the body failed");
  }
  SECTION("a chip error inside the body") {
    try {
      r.dev->as_admin(r.t.admin(), [&] {
        r.dev->create_object(ObjectSpec::data(0x0300, 16));
        r.dev->create_object(ObjectSpec::data(0x0300, 16));  // exists
      });
      FAIL("the second create succeeded");
    } catch (const transport::ChipError& e) {
      CHECK(e.command() == static_cast<uint8_t>(Command::CreateObject));
      CHECK(e.status() == static_cast<uint16_t>(wire::Status::BadParameter));
    }
    expected.push_back(Command::CreateObject);
  }
  expected.push_back(Command::AdminAuthenticate);
  CHECK(r.bus->commands() == expected);
  CHECK(r.bus->raw_frames().back() == hex("AA 00 C2 00 01 03 64 23"));
  CHECK(admin_denied(*r.dev, 0x0301));
}

TEST_CASE("a failed login runs no body and sends no reset", "[device][admin]") {
  RecordedChip r;
  bool ran = false;
  CHECK_THROWS_AS(r.dev->as_admin(r.t.key_import(), [&] { ran = true; }), transport::ChipError);
  CHECK_FALSE(ran);
  CHECK(r.bus->commands() ==
        std::vector<Command>{Command::GetChallenge, Command::AdminAuthenticate});
}

TEST_CASE("while a Device is in as_admin, another thread's command waits", "[device][admin]") {
  RecordedChip r;
  std::atomic<bool> started{false}, done{false};
  std::thread other;
  r.dev->as_admin(r.t.admin(), [&] {
    other = std::thread([&] {
      started = true;
      r.dev->ping(Bytes{7});
      done = true;
    });
    while (!started) std::this_thread::yield();
    // A ping takes microseconds here: had it not waited, it would be done.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK_FALSE(done);
    // The body's own commands still go through (the hold is re-entrant).
    r.dev->create_object(ObjectSpec::data(0x0300, 16));
    CHECK_FALSE(done);
  });
  other.join();
  CHECK(done);
  CHECK(r.bus->commands() == std::vector<Command>{Command::GetChallenge, Command::AdminAuthenticate,
                                                  Command::CreateObject, Command::AdminAuthenticate,
                                                  Command::Ping});
  // The other thread's ping did not run with the admin role's session in between.
  CHECK(r.bus->raw_frames()[3] == hex("AA 00 C2 00 01 03 64 23"));
}
