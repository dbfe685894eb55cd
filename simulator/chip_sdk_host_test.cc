// The chip driven the way Maxim's SDK hosts drive a MAXQ106x (protocol
// document §2.3): the command frame in one chip-select window, then one window
// per 0xCC poll byte until 0x55, one window for the 4 remaining header bytes
// and one for LEN + 2 data and CRC bytes. Header and data are clocked with
// 0xCC (host_pc, host_mbed, host_ard) or 0x00 (host_rpi, host_elx). Every
// answer is checked for its status, length and public layout.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"
#include "wire/admin_layout.h"
#include "wire/key_layout.h"
#include "wire/object_layout.h"
#include "wire/status_layout.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Status;

namespace {

class SdkHost {
 public:
  SdkHost(sim::Chip& chip, uint8_t dummy) : chip_(chip), dummy_(dummy) {}

  // One chip-select window.
  Bytes window(const Bytes& mosi) {
    Bytes miso(mosi.size());
    chip_.select();
    chip_.transfer(mosi.data(), miso.data(), mosi.size());
    chip_.deselect();
    ++windows_;
    return miso;
  }

  // CMD_SendCommand: frame, polls, header rest, data + CRC. The whole answer
  // frame, sync to CRC, as it came off the bus.
  Bytes raw(uint8_t command, ByteView payload) {
    window(wire::encode_command(command, payload));  // MISO ignored while sending
    Bytes rsp;
    for (size_t polls = 0; rsp.empty(); ++polls) {
      if (polls == kMaxPolls) throw std::runtime_error("no 0x55 within the poll budget");
      uint8_t b = window(Bytes{wire::kPollByte})[0];
      if (b == wire::kResponseSync) rsp.push_back(b);
    }
    Bytes header = window(Bytes(wire::kHeaderSize - 1, dummy_));
    rsp.insert(rsp.end(), header.begin(), header.end());
    size_t total = wire::frame_size_from_header(rsp);
    if (total == 0) throw std::runtime_error("answer LEN beyond the SDK's 2300");
    Bytes rest = window(Bytes(total - wire::kHeaderSize, dummy_));
    rsp.insert(rsp.end(), rest.begin(), rest.end());
    return rsp;
  }

  wire::ResponseFrame command(Command command, ByteView payload = {}) {
    wire::ResponseFrame r;
    Bytes rsp = raw(static_cast<uint8_t>(command), payload);
    REQUIRE(wire::decode_response(rsp, r) == wire::FrameError::None);  // CRC checked
    return r;
  }
  // An answer that must be OK with exactly `length` data bytes.
  Bytes ok(Command c, ByteView payload, size_t length) {
    wire::ResponseFrame r = command(c, payload);
    INFO(wire::command_name(static_cast<uint8_t>(c)) << ": " << wire::status_name(r.status));
    REQUIRE(r.status == 0);
    REQUIRE(r.payload.size() == length);
    return r.payload;
  }
  uint16_t status(Command c, ByteView payload, size_t length = 0) {
    wire::ResponseFrame r = command(c, payload);
    CHECK(r.payload.size() == length);
    return r.status;
  }
  size_t windows() const { return windows_; }

 private:
  static constexpr size_t kMaxPolls = 4096;
  sim::Chip& chip_;
  uint8_t dummy_;
  size_t windows_ = 0;
};

Bytes challenge_then_login(SdkHost& sdk, RefCrypto& ref, const std::string& admin_pem) {
  Bytes challenge = sdk.ok(Command::GetChallenge, payload::u16(16), 16);
  return payload::authenticate(ref.sign_sha256(admin_pem, challenge));
}

}  // namespace

TEST_CASE("SDK host: ping gives the published bytes", "[chip][sdk]") {
  uint8_t dummy = GENERATE(uint8_t{0xCC}, uint8_t{0x00});
  ProvisionedChip t;
  auto chip = t.open();
  SdkHost sdk(*chip, dummy);
  const Bytes frame = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};
  CHECK(wire::encode_command(Command::Ping, Bytes{0, 1, 2, 3}) == frame);
  CHECK(sdk.raw(0xF7, Bytes{0, 1, 2, 3}) ==
        Bytes({0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32}));
  // Frame, one poll (the answer is ready at once), header, data: four windows.
  CHECK(sdk.windows() == 4);
  // The SDK's largest ping comes back whole too.
  Bytes big(2048);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i);
  CHECK(sdk.ok(Command::Ping, big, big.size()) == big);
}

TEST_CASE("SDK host: get status answers 93 bytes in the public layout", "[chip][sdk]") {
  uint8_t dummy = GENERATE(uint8_t{0xCC}, uint8_t{0x00});
  ProvisionedChip t;
  auto chip = t.open();
  SdkHost sdk(*chip, dummy);
  Bytes r = sdk.ok(Command::GetStatus, {}, 93);
  CHECK(Bytes(r.begin(), r.begin() + 16) ==
        Bytes({'M', 'A', 'X', 'Q', '1', '0', '6', '1', 0, 0, 0, 0, 0, 0, 0, 0}));
  CHECK(Bytes(r.begin() + 16, r.begin() + 20) == Bytes({1, 2, 0, 0xC3}));
  CHECK(Bytes(r.begin() + 20, r.begin() + 44) ==
        Bytes(t.provisioned.serial.begin(), t.provisioned.serial.end()));
  CHECK(r[44] == 5);  // operational
  const unsigned free = static_cast<unsigned>(r[45] << 8 | r[46]);
  const unsigned total = static_cast<unsigned>(r[47] << 8 | r[48]);
  CHECK(total == 32768);
  CHECK(free == 32768 - 2 * (wire::kObjectOverheadBytes + 64));
  const auto config = wire::default_config_block();
  const auto sysconfig = wire::default_sysconfig_block();
  CHECK(Bytes(r.begin() + 49, r.begin() + 85) == Bytes(config.begin(), config.end()));
  CHECK(Bytes(r.begin() + 49, r.begin() + 51) == Bytes({0x60, 0x00}));  // I2C address, LE word
  CHECK(Bytes(r.begin() + 85, r.end()) == Bytes(sysconfig.begin(), sysconfig.end()));
  CHECK(sdk.status(Command::GetStatus, Bytes{0}) == st(Status::WrongLength));
}

TEST_CASE("SDK host: admin authentication, and admin reset", "[chip][sdk]") {
  uint8_t dummy = GENERATE(uint8_t{0xCC}, uint8_t{0x00});
  ProvisionedChip t;
  auto chip = t.open();
  SdkHost sdk(*chip, dummy);
  RefCrypto ref;
  Bytes data_object = payload::create(0x0300, wire::ObjectType::Data,
                                      wire::ObjectProperty::Persistent, admin_managed_rules(), 8);
  CHECK(sdk.status(Command::CreateObject, data_object) == st(Status::AccessDenied));
  Bytes login = challenge_then_login(sdk, ref, t.admin_key);
  CHECK(sdk.status(Command::AdminAuthenticate, login) == 0);  // no data
  CHECK(sdk.status(Command::CreateObject, data_object) == 0);
  CHECK(sdk.status(Command::AdminAuthenticate, wire::encode_admin_reset()) == 0);
  Bytes other = payload::create(0x0301, wire::ObjectType::Data, wire::ObjectProperty::Persistent,
                                admin_managed_rules(), 8);
  CHECK(sdk.status(Command::CreateObject, other) == st(Status::AccessDenied));
}

TEST_CASE("SDK host: a challenge followed by another command is discarded", "[chip][sdk]") {
  ProvisionedChip t;
  auto chip = t.open();
  SdkHost sdk(*chip, 0xCC);
  RefCrypto ref;
  Bytes login = challenge_then_login(sdk, ref, t.admin_key);
  sdk.ok(Command::GetStatus, {}, 93);
  CHECK(sdk.status(Command::AdminAuthenticate, login) == st(Status::SecurityCondition));
}

TEST_CASE("SDK host: key generation through a signed import, then sign and list", "[chip][sdk]") {
  uint8_t dummy = GENERATE(uint8_t{0xCC}, uint8_t{0x00});
  ProvisionedChip t;
  auto chip = t.open();
  SdkHost sdk(*chip, dummy);
  RefCrypto ref;
  const std::string import_pem = t.provisioned.key_import_key_path;
  REQUIRE(import_pem == t.state + ".key-import.pem");
  REQUIRE(sdk.status(Command::AdminAuthenticate, challenge_then_login(sdk, ref, t.admin_key)) == 0);
  REQUIRE(sdk.status(Command::CreateObject, payload::create(0x0101, wire::ObjectType::KeyPair,
                                                            wire::ObjectProperty::Persistent,
                                                            admin_managed_rules(), 96)) == 0);
  Bytes body = payload::descriptor(wire::Curve::P256);
  REQUIRE(body == Bytes({0x03, 0x00, 0x20, 0x00, 0x00, 0x00, 0x01, 0x0A, 0xFF, 0x00}));

  // A descriptor signed by anything but the key-import key is refused.
  CHECK(sdk.status(Command::ImportKey,
                   payload::signed_import(0x0101, body, ref.sign_sha256(t.admin_key, body))) ==
        st(Status::BadSignature));
  CHECK(sdk.status(Command::ReadObject, payload::read(0x0101, 0, 0)) == st(Status::ObjectEmpty));

  // Generation: no data in the answer; the public key comes with read object.
  CHECK(sdk.status(Command::ImportKey,
                   payload::signed_import(0x0101, body, ref.sign_sha256(import_pem, body))) == 0);
  Bytes xy = sdk.ok(Command::ReadObject, payload::read(0x0101, 0, 0), 64);
  REQUIRE(ref.public_key(wire::Curve::P256, xy));

  // Sign with algorithm 08 over the field-size digest; verified in software.
  Bytes hash = ref.digest("SHA256", ByteView(std::string_view("the SDK way")));
  Bytes e = wire::ecdsa_field_digest(*wire::curve_info(wire::Curve::P256), hash);
  Bytes sig =
      sdk.ok(Command::SignVerify,
             payload::sign_verify(wire::kModeSign, wire::Algorithm::EcdsaDigest, 0x0101, e), 64);
  CHECK(ref.verify(wire::Curve::P256, xy, hash, sig));
  CHECK(sdk.status(Command::SignVerify,
                   payload::sign_verify(wire::kModeVerify, wire::Algorithm::EcdsaDigest, 0x0101, e,
                                        sig)) == 0);

  // List: every id (option 1), then the new key's record (option 0).
  Bytes ids = sdk.ok(Command::ListObjects, Bytes{0x01}, 6);
  CHECK(ids == Bytes({0x01, 0x01, 0x10, 0x00, 0x10, 0x01}));
  Bytes rec = sdk.ok(Command::ListObjects, wire::encode_list_details(0x0101), 21);
  CHECK(Bytes(rec.begin(), rec.begin() + 5) == Bytes({0x01, 0x01, 0x03, 0x01, 0x02}));
  CHECK(Bytes(rec.begin() + 5, rec.begin() + 14) == admin_managed_rules());
  CHECK(Bytes(rec.begin() + 14, rec.end()) == Bytes({0x00, 0x60, 0x03, 0x01, 0x0A, 0xFF, 0x00}));
  CHECK(sdk.ok(Command::ListObjects, wire::encode_list_details(wire::kKeyImportKeyId), 21)[17] ==
        static_cast<uint8_t>(wire::KeyUsage::KeyImport));
  CHECK(sdk.status(Command::AdminAuthenticate, wire::encode_admin_reset()) == 0);
}

TEST_CASE("SDK host: random numbers come from get challenge", "[chip][sdk]") {
  uint8_t dummy = GENERATE(uint8_t{0xCC}, uint8_t{0x00});
  ProvisionedChip t;
  auto chip = t.open();
  SdkHost sdk(*chip, dummy);
  Bytes a = sdk.ok(Command::GetChallenge, payload::u16(1024), 1024);
  Bytes b = sdk.ok(Command::GetChallenge, payload::u16(1024), 1024);
  CHECK(a != b);
  CHECK(std::count(a.begin(), a.end(), 0) < 20);
  CHECK(sdk.ok(Command::GetChallenge, payload::u16(4), 4).size() == 4);  // PSA's key-id draw
  CHECK(sdk.status(Command::GetChallenge, payload::u16(0)) == st(Status::WrongLength));
}

TEST_CASE("SDK host: a busy chip keeps its answer across many poll windows", "[chip][sdk]") {
  ProvisionedChip t;
  auto chip = t.open();
  SdkHost sdk(*chip, 0xCC);
  chip->faults().busy_for_polls(300);
  CHECK(sdk.ok(Command::Ping, Bytes{1, 2}, 2) == Bytes({1, 2}));
  CHECK(sdk.windows() == 1 + 301 + 2);
}
