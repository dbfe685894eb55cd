// Admin authenticate (login and reset) with the challenge rules, set
// lifecycle, and access rules that follow the lifecycle state.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"
#include "wire/admin_layout.h"
#include "wire/status_layout.h"

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

TEST_CASE("the admin key's signature over a 16-byte challenge grants the admin role",
          "[commands][admin]") {
  ProvisionedChip t;
  Host host(t.open());
  CHECK(host.status(Command::CreateObject, persistent_data(0x0300)) == st(Status::AccessDenied));
  REQUIRE(host.authenticate(t.admin_key) == 0);
  CHECK(host.status(Command::CreateObject, persistent_data(0x0300)) == 0);
  // The role belongs to this session, not to the chip.
  Host other(t.open());
  CHECK(other.status(Command::CreateObject, persistent_data(0x0301)) == st(Status::AccessDenied));
  // Admin reset (pass 3) ends it.
  CHECK(host.admin_reset() == 0);
  CHECK(host.status(Command::CreateObject, persistent_data(0x0302)) == st(Status::AccessDenied));
  CHECK(host.admin_reset() == 0);  // also without the role
  CHECK(host.status(Command::AdminAuthenticate, Bytes{0x03, 0x00}) == st(Status::WrongLength));
}

TEST_CASE("admin authenticate refuses everything but a fresh signature by the admin key",
          "[commands][admin]") {
  ProvisionedChip t;
  Host host(t.open());
  RefCrypto ref;
  auto challenge = [&](uint16_t n = 16) { return host.ok(Command::GetChallenge, payload::u16(n)); };
  auto auth = [&](const Bytes& p) { return host.status(Command::AdminAuthenticate, p); };
  auto login = [&](const Bytes& c) {
    return payload::authenticate(ref.sign_challenge(t.admin_key, c));
  };

  SECTION("no challenge") {
    CHECK(auth(payload::authenticate(Bytes(64, 1))) == st(Status::SecurityCondition));
  }
  SECTION("a wrong signature, which also consumes the challenge") {
    Bytes c = challenge();
    CHECK(auth(payload::authenticate(Bytes(64, 1))) == st(Status::BadSignature));
    CHECK(auth(login(c)) == st(Status::SecurityCondition));
  }
  SECTION("a signature over a replaced challenge") {
    Bytes old = challenge();
    challenge();
    CHECK(auth(login(old)) == st(Status::BadSignature));
  }
  SECTION("any other command in between discards the challenge") {
    for (Command between : {Command::Ping, Command::GetStatus, Command::ReadObject}) {
      INFO(wire::command_name(static_cast<uint8_t>(between)));
      Bytes c = challenge();
      host.send(between, between == Command::Ping ? Bytes{1} : Bytes{});  // even a refused one
      CHECK(auth(login(c)) == st(Status::SecurityCondition));
    }
    // A damaged frame too (MODELLED).
    Bytes c = challenge();
    Bytes bad = wire::encode_command(Command::Ping, Bytes{1});
    bad.back() ^= 1;
    host.chip().select();
    Bytes miso(bad.size() + 16);
    bad.resize(miso.size(), wire::kPollByte);
    host.chip().transfer(bad.data(), miso.data(), bad.size());
    host.chip().deselect();
    CHECK(auth(login(c)) == st(Status::SecurityCondition));
  }
  SECTION("a challenge of another length than 16") {
    Bytes c = challenge(32);
    CHECK(auth(login(c)) == st(Status::SecurityCondition));
    c = challenge(15);
    CHECK(auth(login(c)) == st(Status::SecurityCondition));
  }
  SECTION("another chip's admin key, or the key-import key") {
    ProvisionedChip other;
    Bytes c = challenge();
    CHECK(auth(payload::authenticate(ref.sign_challenge(other.admin_key, c))) ==
          st(Status::BadSignature));
    c = challenge();
    CHECK(auth(payload::authenticate(ref.sign_sha256(host.key_import_pem(), c))) ==
          st(Status::BadSignature));
  }
  SECTION("wrong algorithm, key id, reserved words, signature length and layout") {
    Bytes c = challenge();
    Bytes good = ref.sign_challenge(t.admin_key, c);
    CHECK(auth(payload::authenticate(good, 11)) == st(Status::AlgorithmNotSupported));
    challenge();
    CHECK(auth(payload::authenticate(good, 10, wire::kKeyImportKeyId)) == st(Status::WrongParams));
    c = challenge();
    Bytes reserved = login(c);
    reserved[5] = 1;  // second byte of the first reserved word
    CHECK(auth(reserved) == st(Status::BadParameter));
    challenge();
    CHECK(auth(payload::authenticate(Bytes(good.begin(), good.end() - 1))) ==
          st(Status::WrongLength));
    Bytes truncated = payload::authenticate(good);
    truncated.pop_back();
    CHECK(auth(truncated) == st(Status::WrongLength));
    CHECK(auth(Bytes{0x01, 0x0A}) == st(Status::WrongLength));
    CHECK(auth(Bytes{}) == st(Status::WrongLength));
    CHECK(auth(Bytes{0x02}) == st(Status::BadParameter));  // passes other than 1 and 3
  }
  SECTION("a failed attempt ends the admin role") {
    REQUIRE(host.authenticate(t.admin_key) == 0);
    challenge();
    CHECK(auth(payload::authenticate(Bytes(64, 1))) == st(Status::BadSignature));
    CHECK(host.status(Command::CreateObject, persistent_data(0x0300)) == st(Status::AccessDenied));
  }
}

TEST_CASE("the published admin frames are what the chip decodes", "[commands][admin]") {
  // §7: admin reset AA 00 C2 00 01 03 64 23; a 16-byte challenge request.
  CHECK(wire::encode_command(Command::AdminAuthenticate, wire::encode_admin_reset()) ==
        Bytes({0xAA, 0x00, 0xC2, 0x00, 0x01, 0x03, 0x64, 0x23}));
  CHECK(wire::encode_command(Command::GetChallenge, payload::u16(16)) ==
        Bytes({0xAA, 0x00, 0xC7, 0x00, 0x02, 0x00, 0x10, 0x1F, 0xD7}));
  ProvisionedChip t;
  Host host(t.open());
  CHECK(exchange(host.chip(), 0xC2, Bytes{0x03}).status == 0);
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
  CHECK(wire::decode_status(host.ok(Command::GetStatus)).lifecycle == 6);
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
    CHECK(h->ok(Command::GetStatus).size() == wire::kStatusPayloadBytes);
    for (auto cmd :
         {Command::GetRandom, Command::GetChallenge, Command::AdminAuthenticate,
          Command::SetLifecycle, Command::CreateObject, Command::DeleteObject, Command::ReadObject,
          Command::WriteObject, Command::ListObjects, Command::ImportKey, Command::ImportRootCert,
          Command::SignVerify, Command::KeyExchange}) {
      INFO(wire::command_name(static_cast<uint8_t>(cmd)));
      CHECK(h->status(cmd, payload::u16(32)) == st(Status::SecurityCondition));
    }
  }
}

TEST_CASE("access rules follow the lifecycle state and the public role bits", "[commands][admin]") {
  ProvisionedChip t;
  edit_state(t.state, [](sim::PersistentState& s) { s.lifecycle = wire::Lifecycle::Delivery; });
  Host host(t.open());
  // In delivery, persistent objects may be created without the admin role.
  uint8_t r[wire::kAccessRuleBytes] = {};
  wire::set_rule_roles(r, wire::Lifecycle::Delivery, wire::Operation::Read, wire::kRoleAlways);
  wire::set_rule_roles(r, wire::Lifecycle::Operational, wire::Operation::Read, wire::kRoleAlways);
  wire::set_rule_roles(r, wire::Lifecycle::Initialized, wire::Operation::Write, wire::kRoleAlways);
  Bytes per_state(r, r + sizeof r);
  REQUIRE(host.status(Command::CreateObject,
                      payload::create(0x0300, wire::ObjectType::Data,
                                      wire::ObjectProperty::Persistent, per_state, 8)) == 0);
  auto read = [&](Host& h) { return h.status(Command::ReadObject, payload::read(0x0300, 0, 0)); };
  auto write = [&] {
    return host.status(Command::WriteObject, payload::write(0x0300, 0, Bytes{1}));
  };
  CHECK(write() == st(Status::AccessDenied));
  CHECK(read(host) == st(Status::ObjectEmpty));  // allowed, but nothing written yet

  REQUIRE(host.authenticate(t.admin_key) == 0);
  REQUIRE(host.status(Command::SetLifecycle, Bytes{4}) == 0);
  CHECK(write() == 0);
  CHECK(read(host) == st(Status::AccessDenied));
  // Out of delivery, persistent objects need the admin (the lifecycle change ended it).
  CHECK(host.status(Command::CreateObject, persistent_data(0x0301)) == st(Status::AccessDenied));

  REQUIRE(host.authenticate(t.admin_key) == 0);
  REQUIRE(host.status(Command::SetLifecycle, Bytes{5}) == 0);
  CHECK(write() == st(Status::AccessDenied));
  CHECK(read(host) == 0);

  // Partial masks: a mask naming the admin bit passes the admin only; the
  // secure-boot and host bits are conditions the model never holds.
  REQUIRE(host.authenticate(t.admin_key) == 0);
  for (auto [id, mask] : {std::pair<uint16_t, uint8_t>{0x0310, wire::kRoleAdmin},
                          {0x0311, wire::kRoleSecureBoot},
                          {0x0312, wire::kRoleHost},
                          {0x0313, wire::kRoleAdmin | wire::kRoleHost},
                          {0x0314, 0x1}}) {
    REQUIRE(
        host.status(Command::CreateObject,
                    payload::create(id, wire::ObjectType::Data, wire::ObjectProperty::Persistent,
                                    rules({{wire::Operation::Write, wire::kRoleAlways},
                                           {wire::Operation::Read, mask}}),
                                    4)) == 0);
    REQUIRE(host.status(Command::WriteObject, payload::write(id, 0, Bytes{7})) == 0);
  }
  Host plain(t.open());
  auto read_id = [](Host& h, uint16_t id) {
    return h.status(Command::ReadObject, payload::read(id, 0, 0));
  };
  CHECK(read_id(host, 0x0310) == 0);
  CHECK(read_id(plain, 0x0310) == st(Status::AccessDenied));
  CHECK(read_id(host, 0x0311) == st(Status::AccessDenied));
  CHECK(read_id(host, 0x0312) == st(Status::AccessDenied));
  CHECK(read_id(host, 0x0313) == 0);
  CHECK(read_id(plain, 0x0313) == st(Status::AccessDenied));
  CHECK(read_id(host, 0x0314) == st(Status::AccessDenied));  // bit 1: not a MAXQ106x role
}
