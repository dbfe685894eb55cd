// Ping, get status, get random, and the commands the model does not implement.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"

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

TEST_CASE("get status reports the chip's identity, state and free resources", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  Bytes r = host.ok(Command::GetStatus);
  REQUIRE(r.size() == wire::kStatusResponseBytes);
  PayloadReader in(r, "status");
  ByteView name = in.bytes(wire::kProductNameBytes);
  CHECK(std::string(name.begin(), name.begin() + 8) == "MAXQ1061");
  CHECK(std::all_of(name.begin() + 8, name.end(), [](uint8_t b) { return b == 0; }));
  CHECK(in.bytes(4).to_bytes() == Bytes({1, 2, 0, 0}));
  CHECK(in.bytes(wire::kSerialBytes).to_bytes() ==
        Bytes(t.provisioned.serial.begin(), t.provisioned.serial.end()));
  CHECK(in.u8() == static_cast<uint8_t>(wire::Lifecycle::Operational));
  // Two pre-loaded P-256 public keys: 2 * (overhead + 64).
  const uint32_t preloaded = 2 * (wire::kObjectOverheadBytes + 64);
  CHECK(in.u32() == wire::kSecureStorageBytes - preloaded);
  CHECK(in.u32() == wire::kSecureStorageBytes);
  CHECK(in.u8() == wire::kTemporarySlots);

  // A temporary object takes a slot, not storage; a persistent one storage.
  host.ok(Command::CreateObject,
          payload::create(0x0200, wire::ObjectType::Data, wire::ObjectProperty::Temporary,
                          open_rules(), 100));
  REQUIRE(host.authenticate(t.admin_key) == 0);
  host.ok(Command::CreateObject,
          payload::create(0x0201, wire::ObjectType::KeyPair, wire::ObjectProperty::Persistent,
                          open_rules(), 48));
  r = host.ok(Command::GetStatus);
  PayloadReader again(ByteView(r).subview(wire::kProductNameBytes + 4 + wire::kSerialBytes + 1),
                      "status");
  CHECK(again.u32() == wire::kSecureStorageBytes - preloaded - (wire::kObjectOverheadBytes + 144));
  again.u32();
  CHECK(again.u8() == wire::kTemporarySlots - 1);

  CHECK(host.status(Command::GetStatus, Bytes{0}) == st(Status::WrongLength));
}

TEST_CASE("get random returns 1 to 1024 fresh bytes", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  CHECK(host.ok(Command::GetRandom, payload::u16(1)).size() == 1);
  Bytes a = host.ok(Command::GetRandom, payload::u16(1024));
  Bytes b = host.ok(Command::GetRandom, payload::u16(1024));
  CHECK(a.size() == 1024);
  CHECK(a != b);
  CHECK(std::count(a.begin(), a.end(), 0) < 20);  // not a constant fill
  CHECK(host.status(Command::GetRandom, payload::u16(0)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetRandom, payload::u16(1025)) == st(Status::WrongLength));
  CHECK(host.status(Command::GetRandom, Bytes{4}) == st(Status::WrongLength));
  CHECK(host.status(Command::GetRandom, Bytes{0, 4, 0}) == st(Status::WrongLength));
}

TEST_CASE("commands the model does not implement say so", "[commands]") {
  ProvisionedChip t;
  Host host(t.open());
  for (auto code : {Command::Cipher, Command::SecureChannel, Command::MessageDigest, Command::Mac,
                    Command::Sleep, Command::SetConfig, Command::FactoryReset}) {
    INFO(wire::command_name(static_cast<uint8_t>(code)));
    CHECK(host.status(code, Bytes{1, 2, 3}) == st(Status::NotImplemented));
  }
  for (uint8_t code : {0x00, 0x42, 0xFF})
    CHECK(exchange(host.chip(), code, {}).status == st(Status::NotImplemented));
  // Nothing was changed by them: the chip still works.
  CHECK(host.ok(Command::Ping, Bytes{9}) == Bytes{9});
}
