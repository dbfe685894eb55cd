// Ping, get status, random numbers (C7, and the modelled C9), and the
// commands the model does not implement.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"
#include "wire/status_layout.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Status;

TEST_CASE("ping echoes any payload up to the frame limit", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  CHECK(host.ok(Command::Ping).empty());
  Bytes big(wire::kMaxPayload);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 13);
  CHECK(host.ok(Command::Ping, big) == big);
}

TEST_CASE("get status answers the 93-byte MAXQ106x record", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  Bytes r = host.ok(Command::GetStatus);
  REQUIRE(r.size() == 93);
  wire::StatusPayload s = wire::decode_status(r);
  CHECK(std::string(s.product.begin(), s.product.begin() + 8) == "MAXQ1061");
  CHECK(std::all_of(s.product.begin() + 8, s.product.end(), [](uint8_t b) { return b == 0; }));
  CHECK(s.firmware_major == 1);
  CHECK(s.firmware_minor == 2);
  CHECK(s.firmware_revision == 0);
  CHECK(s.hardware_code == 0xC3);
  CHECK(s.serial == t.provisioned.serial);
  CHECK(s.lifecycle == static_cast<uint8_t>(wire::Lifecycle::Operational));
  // Two pre-loaded P-256 public keys of capacity 64: 2 * (overhead + 64).
  const uint16_t preloaded = 2 * (wire::kObjectOverheadBytes + 64);
  CHECK(s.total_memory == 32768);
  CHECK(s.free_memory == 32768 - preloaded);
  // Memory sizes are big-endian at offsets 45 and 47.
  CHECK(r[47] == 0x80);
  CHECK(r[48] == 0x00);
  CHECK(s.config == wire::default_config_block());
  CHECK(s.sysconfig == wire::default_sysconfig_block());
  CHECK(wire::config_word(s.config, wire::kConfigI2cAddress) == 0x60);
  CHECK(Bytes(r.begin() + 49 + 12, r.begin() + 49 + 14) == Bytes({0x55, 0xAA}));  // needhost off

  // A temporary object takes no storage; a persistent one its capacity.
  host.ok(Command::CreateObject,
          payload::create(0x0200, wire::ObjectType::Data, wire::ObjectProperty::Temporary,
                          open_rules(), 100));
  REQUIRE(host.authenticate(t.admin_key) == 0);
  host.ok(Command::CreateObject,
          payload::create(0x0201, wire::ObjectType::KeyPair, wire::ObjectProperty::Persistent,
                          open_rules(), 144));
  s = wire::decode_status(host.ok(Command::GetStatus));
  CHECK(s.free_memory == 32768 - preloaded - (wire::kObjectOverheadBytes + 144));

  CHECK(host.status(Command::GetStatus, Bytes{0}) == st(Status::WrongLength));
}

TEST_CASE("get challenge is the random source: 1 to 1024 fresh bytes", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  CHECK(host.ok(Command::GetChallenge, payload::u16(1)).size() == 1);
  Bytes a = host.ok(Command::GetChallenge, payload::u16(1024));
  Bytes b = host.ok(Command::GetChallenge, payload::u16(1024));
  CHECK(a.size() == 1024);
  CHECK(a != b);
  CHECK(std::count(a.begin(), a.end(), 0) < 20);  // not a constant fill
  CHECK(host.status(Command::GetChallenge, payload::u16(0)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetChallenge, payload::u16(1025)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetChallenge, Bytes{4}) == st(Status::WrongLength));
  CHECK(host.status(Command::GetChallenge, Bytes{0, 4, 0}) == st(Status::WrongLength));
}

TEST_CASE("get random 0xC9 still answers in its MAXQ108x form (MODELLED)", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  CHECK(host.ok(Command::GetRandom, payload::u16(1)).size() == 1);
  Bytes a = host.ok(Command::GetRandom, payload::u16(1024));
  CHECK(a.size() == 1024);
  CHECK(a != host.ok(Command::GetRandom, payload::u16(1024)));
  CHECK(host.status(Command::GetRandom, payload::u16(0)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetRandom, payload::u16(1025)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetRandom, Bytes{0, 4, 0}) == st(Status::WrongLength));
}

TEST_CASE("commands the model does not implement say so", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  for (auto code :
       {Command::UpdateCounter, Command::Cipher, Command::SecureChannel, Command::TlsRecord,
        Command::VerifyBoot, Command::ImportChildCert, Command::MessageDigest, Command::Mac,
        Command::Sleep, Command::SetConfig, Command::FactoryReset}) {
    INFO(wire::command_name(static_cast<uint8_t>(code)));
    CHECK(host.status(code, Bytes{1, 2, 3}) == st(wire::kUnknownCommandStatus));
  }
  for (uint8_t code : {0x00, 0x42, 0xB0, 0xFF})
    CHECK(exchange(host.chip(), code, {}).status == st(Status::NotImplemented));
  // Nothing was changed by them: the chip still works.
  CHECK(host.ok(Command::Ping, Bytes{9}) == Bytes{9});
}
