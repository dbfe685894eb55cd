// Get challenge, admin authenticate, set lifecycle, and access rules that
// follow the lifecycle state.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Status;

namespace {

Bytes persistent_data(uint16_t id) {
  return payload::create(id, wire::ObjectType::Data, wire::ObjectProperty::Persistent, open_rules(),
                         8);
}

}  // namespace

TEST_CASE("get challenge gives 16 to 64 fresh bytes", "[commands][admin]") {
  ProvisionedChip t;
  Host host(t.open());
  CHECK(host.ok(Command::GetChallenge, payload::u16(16)).size() == 16);
  CHECK(host.ok(Command::GetChallenge, payload::u16(64)).size() == 64);
  CHECK(host.ok(Command::GetChallenge, payload::u16(32)) !=
        host.ok(Command::GetChallenge, payload::u16(32)));
  CHECK(host.status(Command::GetChallenge, payload::u16(15)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetChallenge, payload::u16(65)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetChallenge, Bytes{32}) == st(Status::WrongLength));
  CHECK(host.status(Command::GetChallenge, Bytes{0, 32, 0}) == st(Status::WrongLength));
}

TEST_CASE("the admin key's signature over the challenge grants the admin role",
          "[commands][admin]") {
  ProvisionedChip t;
  Host host(t.open());
  CHECK(host.status(Command::CreateObject, persistent_data(0x0300)) == st(Status::AccessDenied));
  REQUIRE(host.authenticate(t.admin_key) == 0);
  CHECK(host.status(Command::CreateObject, persistent_data(0x0300)) == 0);
  // The role belongs to this session, not to the chip.
  Host other(t.open());
  CHECK(other.status(Command::CreateObject, persistent_data(0x0301)) == st(Status::AccessDenied));
}

TEST_CASE("admin authenticate refuses everything but a fresh signature by the admin key",
          "[commands][admin]") {
  ProvisionedChip t;
  Host host(t.open());
  RefCrypto ref;
  auto challenge = [&] { return host.ok(Command::GetChallenge, payload::u16(32)); };
  auto auth = [&](const Bytes& p) { return host.status(Command::AdminAuthenticate, p); };

  SECTION("no challenge") {
    CHECK(auth(payload::authenticate(Bytes(64, 1))) == st(Status::SecurityCondition));
  }
  SECTION("a wrong signature, which also consumes the challenge") {
    Bytes c = challenge();
    CHECK(auth(payload::authenticate(Bytes(64, 1))) == st(Status::BadSignature));
    CHECK(auth(payload::authenticate(ref.sign_challenge(t.admin_key, c))) ==
          st(Status::SecurityCondition));
  }
  SECTION("a signature over a replaced challenge") {
    Bytes old = challenge();
    challenge();
    CHECK(auth(payload::authenticate(ref.sign_challenge(t.admin_key, old))) ==
          st(Status::BadSignature));
  }
  SECTION("another chip's admin key") {
    ProvisionedChip other;
    Bytes c = challenge();
    CHECK(auth(payload::authenticate(ref.sign_challenge(other.admin_key, c))) ==
          st(Status::BadSignature));
  }
  SECTION("wrong algorithm, key id, signature length and layout") {
    Bytes c = challenge();
    Bytes good = ref.sign_challenge(t.admin_key, c);
    CHECK(auth(payload::authenticate(good, 11)) == st(Status::AlgorithmNotSupported));
    challenge();
    CHECK(auth(payload::authenticate(good, 10, wire::kKeyImportKeyId)) == st(Status::BadParameter));
    challenge();
    CHECK(auth(payload::authenticate(Bytes(good.begin(), good.end() - 1))) ==
          st(Status::WrongLength));
    Bytes truncated = payload::authenticate(good);
    truncated.pop_back();
    CHECK(auth(truncated) == st(Status::WrongLength));
    CHECK(auth(Bytes{10}) == st(Status::WrongLength));
  }
  SECTION("a failed attempt ends the admin role") {
    REQUIRE(host.authenticate(t.admin_key) == 0);
    challenge();
    CHECK(auth(payload::authenticate(Bytes(64, 1))) == st(Status::BadSignature));
    CHECK(host.status(Command::CreateObject, persistent_data(0x0300)) == st(Status::AccessDenied));
  }
}

TEST_CASE("set lifecycle is admin only and one way", "[commands][admin]") {
  ProvisionedChip t;
  Host host(t.open());
  auto set = [&](uint8_t s) { return host.status(Command::SetLifecycle, Bytes{s}); };
  CHECK(set(6) == st(Status::AccessDenied));
  REQUIRE(host.authenticate(t.admin_key) == 0);
  CHECK(set(2) == st(Status::BadParameter));
  CHECK(set(7) == st(Status::BadParameter));
  CHECK(host.status(Command::SetLifecycle, Bytes{}) == st(Status::WrongLength));
  CHECK(host.status(Command::SetLifecycle, Bytes{6, 0}) == st(Status::WrongLength));
  CHECK(set(4) == st(Status::SecurityCondition));  // back from operational
  CHECK(set(5) == st(Status::SecurityCondition));  // no change is no step forward
  CHECK(set(6) == 0);
  CHECK(host.ok(Command::GetStatus)[wire::kProductNameBytes + 4 + wire::kSerialBytes] == 6);
}

TEST_CASE("a terminated chip answers only ping and get status", "[commands][admin]") {
  ProvisionedChip t;
  Host host(t.open());
  REQUIRE(host.authenticate(t.admin_key) == 0);
  host.make_key_pair(0x0101, wire::Curve::P256);
  host.ok(Command::SetLifecycle, Bytes{6});
  Host later(t.open());  // the state persists
  for (Host* h : {&host, &later}) {
    CHECK(h->ok(Command::Ping, Bytes{1}) == Bytes{1});
    CHECK(h->ok(Command::GetStatus).size() == wire::kStatusResponseBytes);
    for (auto cmd : {Command::GetRandom, Command::GetChallenge, Command::AdminAuthenticate,
                     Command::SetLifecycle, Command::CreateObject, Command::DeleteObject,
                     Command::ReadObject, Command::WriteObject, Command::ListObjects,
                     Command::ImportKey, Command::SignVerify, Command::KeyExchange}) {
      INFO(wire::command_name(static_cast<uint8_t>(cmd)));
      CHECK(h->status(cmd, payload::u16(32)) == st(Status::SecurityCondition));
    }
  }
}

TEST_CASE("access rules follow the lifecycle state", "[commands][admin]") {
  ProvisionedChip t;
  edit_state(t.state, [](sim::PersistentState& s) { s.lifecycle = wire::Lifecycle::Delivery; });
  Host host(t.open());
  // In delivery, persistent objects may be created without the admin role.
  uint8_t r[wire::kAccessRuleBytes] = {};
  wire::set_rule_roles(r, wire::Lifecycle::Delivery, wire::Operation::Read, wire::kRoleEveryone);
  wire::set_rule_roles(r, wire::Lifecycle::Operational, wire::Operation::Read, wire::kRoleEveryone);
  wire::set_rule_roles(r, wire::Lifecycle::Initialized, wire::Operation::Write,
                       wire::kRoleEveryone);
  Bytes per_state(r, r + sizeof r);
  REQUIRE(host.status(Command::CreateObject,
                      payload::create(0x0300, wire::ObjectType::Data,
                                      wire::ObjectProperty::Persistent, per_state, 8)) == 0);
  auto read = [&] { return host.status(Command::ReadObject, payload::read(0x0300, 0, 0)); };
  auto write = [&] {
    return host.status(Command::WriteObject, payload::write(0x0300, 0, Bytes{1}));
  };
  CHECK(write() == st(Status::AccessDenied));
  CHECK(read() == st(Status::ObjectEmpty));  // allowed, but nothing written yet

  REQUIRE(host.authenticate(t.admin_key) == 0);
  REQUIRE(host.status(Command::SetLifecycle, Bytes{4}) == 0);
  CHECK(write() == 0);
  CHECK(read() == st(Status::AccessDenied));
  // Out of delivery, persistent objects need the admin (the lifecycle change ended it).
  CHECK(host.status(Command::CreateObject, persistent_data(0x0301)) == st(Status::AccessDenied));

  REQUIRE(host.authenticate(t.admin_key) == 0);
  REQUIRE(host.status(Command::SetLifecycle, Bytes{5}) == 0);
  CHECK(write() == st(Status::AccessDenied));
  CHECK(read() == 0);
}
