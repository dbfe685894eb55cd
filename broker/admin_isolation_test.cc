// Which commands start, continue and end an admin sequence.
#include "broker/admin_isolation.h"

#include <catch2/catch.hpp>

#include "wire/admin_layout.h"
#include "wire/protocol.h"

using namespace maxq;
using namespace maxq::broker;

namespace {
constexpr uint8_t kC2 = static_cast<uint8_t>(wire::Command::AdminAuthenticate);
constexpr uint8_t kC7 = static_cast<uint8_t>(wire::Command::GetChallenge);
}  // namespace

TEST_CASE("C7 is a challenge, C2 03 a reset, any other C2 a login") {
  CHECK(classify(kC7, Bytes{0, 16}) == CommandClass::Challenge);
  CHECK(classify(kC2, wire::encode_admin_reset()) == CommandClass::AdminReset);
  wire::AdminLogin login;
  login.signature = Bytes(64, 1);
  CHECK(classify(kC2, wire::encode_admin_login(login)) == CommandClass::AdminLogin);
  // Unknown passes and malformed requests are treated as logins: never less isolated.
  CHECK(classify(kC2, Bytes{0x0A, 0x10, 0x01}) == CommandClass::AdminLogin);
  CHECK(classify(kC2, Bytes{0x03, 0x00}) == CommandClass::AdminLogin);
  CHECK(classify(kC2, ByteView()) == CommandClass::AdminLogin);
  CHECK(classify(static_cast<uint8_t>(wire::Command::Ping), ByteView()) == CommandClass::Other);
}

TEST_CASE("holds: challenge, login, admin work, reset") {
  CHECK(next_hold(HoldKind::None, CommandClass::Challenge, true) == HoldKind::Challenge);
  CHECK(next_hold(HoldKind::None, CommandClass::Challenge, false) == HoldKind::None);
  CHECK(next_hold(HoldKind::Challenge, CommandClass::AdminLogin, true) == HoldKind::Admin);
  CHECK(next_hold(HoldKind::Challenge, CommandClass::AdminLogin, false) == HoldKind::None);
  CHECK(next_hold(HoldKind::Challenge, CommandClass::Other, true) == HoldKind::None);
  CHECK(next_hold(HoldKind::Admin, CommandClass::Other, true) == HoldKind::Admin);
  CHECK(next_hold(HoldKind::Admin, CommandClass::Other, false) == HoldKind::Admin);
  CHECK(next_hold(HoldKind::Admin, CommandClass::Challenge, true) == HoldKind::Admin);
  CHECK(next_hold(HoldKind::Admin, CommandClass::AdminLogin, false) == HoldKind::Admin);
  CHECK(next_hold(HoldKind::Admin, CommandClass::AdminReset, true) == HoldKind::None);
  CHECK(next_hold(HoldKind::Admin, CommandClass::AdminReset, false) == HoldKind::None);
}

TEST_CASE("a challenge serves only its client, and only as the very next command") {
  ChallengeOwner c;
  CHECK_FALSE(c.may_log_in(1));
  c.after_command(1, CommandClass::Challenge, true);
  CHECK(c.may_log_in(1));
  CHECK_FALSE(c.may_log_in(2));
  c.after_command(2, CommandClass::Other, true);  // another command in between
  CHECK_FALSE(c.may_log_in(1));
  c.after_command(1, CommandClass::Challenge, false);  // a refused challenge
  CHECK_FALSE(c.may_log_in(1));
  c.after_command(1, CommandClass::Challenge, true);
  c.after_command(0, CommandClass::Other, true);  // the daemon's own command
  CHECK_FALSE(c.may_log_in(1));
  CHECK_FALSE(c.may_log_in(0));
}
