// The typed host API against the simulated chip, through frames, CRC, SPI link
// and chip model: every command's success path and its error paths. Compiled
// three times (in process, over the FTDI model, over the maxq1061-sim daemon):
// nothing here depends on how the Device reaches the chip.
#include "transport/device.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "test/support/software_ec.h"
#include "test/support/temp_chip.h"
#include "transport/credential_key.h"

using namespace maxq;
using maxq::testing::TempChip;
using transport::ChipError;
using transport::ObjectSpec;
using wire::Status;

namespace {

uint16_t status_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ChipError& e) {
    return e.status();
  }
  return 0;
}

#define CHECK_STATUS(expr, status) \
  CHECK(status_of([&] { (void)(expr); }) == static_cast<uint16_t>(status))

Bytes digest32() {
  return Bytes(32, 0x5A);
}

// Admin login by hand: a 16-byte challenge, signed with `key`.
void login(transport::Device& dev, const transport::CredentialKey& key) {
  dev.admin_authenticate(key.sign(dev.challenge(wire::kAdminChallengeBytes)));
}

}  // namespace

TEST_CASE("ping and status", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  Bytes data = {0, 1, 2, 3};
  CHECK(dev->ping(data) == data);
  transport::ChipStatus s = dev->status();
  CHECK(s.product == "MAXQ1061");
  CHECK(s.firmware == std::array<uint8_t, 3>{wire::kFirmwareVersion[0], wire::kFirmwareVersion[1],
                                             wire::kFirmwareVersion[2]});
  CHECK(s.hardware_code == wire::kHardwareCode);
  CHECK(s.serial == t.provisioned.serial);
  CHECK(s.lifecycle == wire::Lifecycle::Operational);
  CHECK(s.total_memory == wire::kSecureStorageBytes);
  CHECK(s.free_memory < s.total_memory);  // the two pre-loaded keys
}

TEST_CASE("challenge lengths", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  CHECK(dev->challenge(16).size() == 16);
  CHECK(dev->challenge(16) != dev->challenge(16));
  CHECK(dev->challenge(1).size() == 1);
  CHECK(dev->challenge(wire::kMaxChallenge).size() == wire::kMaxChallenge);
  CHECK_STATUS(dev->challenge(0), Status::WrongLength);
  CHECK_STATUS(dev->challenge(wire::kMaxChallenge + 1), Status::WrongLength);
}

TEST_CASE("admin authentication", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  SECTION("without a challenge") {
    CHECK_STATUS(dev->admin_authenticate(Bytes(64, 1)), Status::SecurityCondition);
  }
  SECTION("with a wrong signature") {
    dev->challenge(16);
    CHECK_STATUS(dev->admin_authenticate(Bytes(64, 1)), Status::BadSignature);
    // The attempt consumed the challenge.
    CHECK_STATUS(dev->admin_authenticate(Bytes(64, 1)), Status::SecurityCondition);
  }
  SECTION("a challenge of another length than 16 does not authenticate") {
    Bytes c = dev->challenge(32);
    CHECK_STATUS(dev->admin_authenticate(t.admin().sign(c)), Status::SecurityCondition);
  }
  SECTION("any command between challenge and login discards the challenge") {
    Bytes c = dev->challenge(16);
    dev->ping(Bytes{1});
    CHECK_STATUS(dev->admin_authenticate(t.admin().sign(c)), Status::SecurityCondition);
  }
  SECTION("with the admin key, until admin reset") {
    CHECK_STATUS(dev->create_object(ObjectSpec::key_pair(0x0101, wire::Curve::P256)),
                 Status::AccessDenied);
    login(*dev, t.admin());
    dev->create_object(ObjectSpec::key_pair(0x0101, wire::Curve::P256));
    dev->admin_reset();
    CHECK_STATUS(dev->create_object(ObjectSpec::key_pair(0x0102, wire::Curve::P256)),
                 Status::AccessDenied);
  }
  SECTION("the key-import key is not the admin key") {
    CHECK_STATUS(login(*dev, t.key_import()), Status::BadSignature);
  }
  SECTION("a key that is not the chip's admin key") {
    TempChip other;
    CHECK_STATUS(dev->as_admin(other.admin(), [] {}), Status::BadSignature);
  }
}

TEST_CASE("object lifecycle: create, write, read, list, delete", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  login(*dev, t.admin());
  dev->create_object(ObjectSpec::data(0x0201, 3000));
  CHECK_STATUS(dev->create_object(ObjectSpec::data(0x0201, 10)),
               Status::BadParameter);  // id exists
  CHECK_STATUS(dev->read_object(0x0201), Status::ObjectEmpty);
  Bytes data(2500);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31);
  dev->write_object_chunked(0x0201, data);
  CHECK(dev->read_object(0x0201, 0, 100) == Bytes(data.begin(), data.begin() + 100));
  CHECK(dev->read_object(0x0201, 2400, 100) == Bytes(data.begin() + 2400, data.end()));
  CHECK_STATUS(dev->read_object(0x0201, 2500, 100), Status::OutOfBounds);
  CHECK_STATUS(dev->write_object(0x0201, 2999, Bytes{1, 2}), Status::OutOfBounds);
  CHECK_STATUS(dev->write_object(0x0777, 0, Bytes{1}), Status::NotFound);
  CHECK_STATUS(dev->read_object(0x0777), Status::NotFound);

  CHECK(dev->object_ids() ==
        std::vector<uint16_t>{0x0201, wire::kKeyImportKeyId, wire::kAdminKeyId});
  auto objects = dev->list_objects();
  REQUIRE(objects.size() == 3);
  CHECK(objects[0].id == 0x0201);
  CHECK(objects[0].type == wire::ObjectType::Data);
  CHECK(objects[0].length == 3000);
  CHECK(objects[0].initialised);
  CHECK_FALSE(objects[0].key);
  CHECK(objects[1].id == wire::kKeyImportKeyId);
  CHECK(objects[1].type == wire::ObjectType::PublicKey);
  REQUIRE(objects[1].key);
  CHECK(objects[1].key->usage1 == static_cast<uint8_t>(wire::KeyUsage::KeyImport));
  CHECK(objects[2].id == wire::kAdminKeyId);
  REQUIRE(objects[2].key);
  CHECK(objects[2].key->usage1 == static_cast<uint8_t>(wire::KeyUsage::AdminAuthentication));
  CHECK(dev->object_info(0x0201).length == 3000);
  CHECK_STATUS(dev->object_info(0x0777), Status::NotFound);

  auto reader = t.open_device();  // another session without the admin role
  CHECK_STATUS(reader->delete_object(0x0201), Status::AccessDenied);
  CHECK_STATUS(reader->write_object(0x0201, 0, Bytes{1}), Status::AccessDenied);
  CHECK(reader->read_object(0x0201, 0, 4) == Bytes(data.begin(), data.begin() + 4));
  dev->delete_object(0x0201);
  CHECK_STATUS(dev->delete_object(0x0201), Status::NotFound);
  CHECK_STATUS(dev->delete_object(wire::kAdminKeyId), Status::AccessDenied);
}

TEST_CASE("create object rejects bad layouts and a full chip", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  login(*dev, t.admin());
  ObjectSpec bad = ObjectSpec::key_pair(0x0101, wire::Curve::P256);
  bad.length = 95;  // the capacity of no curve's key pair
  CHECK_STATUS(dev->create_object(bad), Status::WrongLength);
  // Fill the 32 KB secure storage with data objects.
  uint16_t id = 0x0300;
  uint16_t status = 0;
  while (status == 0 && id < 0x0400)
    status = status_of([&] { dev->create_object(ObjectSpec::data(id++, 2000)); });
  CHECK(status == static_cast<uint16_t>(Status::MemoryFull));
  CHECK(dev->status().free_memory < 2000 + wire::kObjectOverheadBytes);
}

TEST_CASE("temporary objects are limited and belong to the session", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  for (uint16_t i = 0; i < wire::kTemporarySlots; ++i)
    dev->create_object(
        ObjectSpec::temporary_key_pair(static_cast<uint16_t>(0xFF00 + i), wire::Curve::P256));
  CHECK_STATUS(dev->create_object(ObjectSpec::temporary_key_pair(0xFFF0, wire::Curve::P256)),
               Status::NoTemporarySlot);
  // Everyone may generate into a temporary pair, still only with a signed descriptor.
  CHECK(dev->generate_key(0xFF00, wire::Curve::P256, t.key_import()).xy.size() == 64);
  CHECK(dev->object_info(0xFF00).temporary());
  // Another session (process) does not see them.
  auto other = t.open_device();
  CHECK(other->object_ids().size() == 2);
  CHECK_STATUS(other->sign(0xFF00, digest32()), Status::NotFound);
}

TEST_CASE("key generation, signing and verification", "[device]") {
  auto curve = GENERATE(wire::Curve::P256, wire::Curve::P384, wire::Curve::P521,
                        wire::Curve::Brainpool256, wire::Curve::Brainpool512);
  TempChip t;
  auto dev = t.open_device();
  transport::PublicKey generated = t.make_key(*dev, 0x0101, curve);
  CHECK(generated.curve == curve);
  auto other = t.open_device();  // reads the curve from the point alone
  transport::PublicKey read = other->read_public(0x0101);
  CHECK(read.curve == curve);
  CHECK(read.xy == generated.xy);
  transport::ObjectInfo info = other->object_info(0x0101);
  CHECK(info.length ==
        wire::key_object_capacity(wire::ObjectType::KeyPair, *wire::curve_info(curve)));
  REQUIRE(info.key);
  CHECK(info.key->usage1 == static_cast<uint8_t>(wire::KeyUsage::DataSignature));
  CHECK(info.key->algorithm1 == static_cast<uint8_t>(wire::Algorithm::EcdsaAnySha));
  maxq::testing::SoftwareEc sw;
  Bytes digest = digest32();
  Bytes sig = other->sign(0x0101, digest);
  CHECK(sig.size() == 2 * wire::curve_info(curve)->field_bytes);
  CHECK(sw.verify(curve, read.xy, digest, sig));
  CHECK(other->verify(0x0101, digest, sig));
  Bytes bad = sig;
  bad[5] ^= 1;
  CHECK_FALSE(other->verify(0x0101, digest, bad));
  CHECK_FALSE(sw.verify(curve, read.xy, digest, bad));
}

TEST_CASE("sign and generate error paths", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  CHECK_STATUS(dev->sign(0x0999, digest32()), Status::NotFound);
  dev->as_admin(t.admin(), [&] {
    dev->create_object(ObjectSpec::key_pair(0x0101, wire::Curve::P256));
    CHECK_STATUS(dev->sign(0x0101, digest32()), Status::ObjectEmpty);
    CHECK_STATUS(dev->generate_key(0x0101, wire::Curve::P384, t.key_import()),
                 Status::WrongSize);  // sized for P-256
    dev->generate_key(0x0101, wire::Curve::P256, t.key_import());
  });
  CHECK_STATUS(dev->sign(wire::kAdminKeyId, digest32()),
               Status::BadParameter);  // a public key cannot sign
  auto plain = t.open_device();        // no admin role: generation is refused
  CHECK_STATUS(plain->generate_key(0x0101, wire::Curve::P256, t.key_import()),
               Status::AccessDenied);
  CHECK(plain->sign(0x0101, digest32()).size() == 64);  // but everyone may use the key
  // A key for key exchange only does not sign.
  dev->as_admin(t.admin(), [&] {
    dev->create_object(ObjectSpec::key_pair(0x0102, wire::Curve::P256));
    dev->generate_key(0x0102, wire::Curve::P256, t.key_import(), transport::KeyUse::key_exchange());
  });
  CHECK_STATUS(dev->sign(0x0102, digest32()), Status::BadKeyType);
}

TEST_CASE("key generation needs the chip's key-import key", "[device]") {
  TempChip t, other;
  auto dev = t.open_device();
  dev->as_admin(t.admin(), [&] {
    dev->create_object(ObjectSpec::key_pair(0x0101, wire::Curve::P256));
    for (const std::string& pem : {other.key_import_key, t.admin_key}) {
      INFO(pem);
      auto wrong = transport::CredentialKey::load(pem, transport::CredentialKey::Kind::KeyImport);
      try {
        dev->generate_key(0x0101, wire::Curve::P256, wrong);
        FAIL("a key generation signed with a foreign key was accepted");
      } catch (const ChipError& e) {
        CHECK(e.status() == static_cast<uint16_t>(Status::BadSignature));
        CHECK_THAT(e.what(), Catch::Contains("generate key in object 0x0101") &&
                                 Catch::Contains("key-import-key") &&
                                 Catch::Contains("MAXQ1061_KEY_IMPORT_KEY") &&
                                 Catch::Contains("0x1000"));
      }
    }
  });
  CHECK_STATUS(dev->read_public(0x0101), Status::ObjectEmpty);  // nothing was generated
}

TEST_CASE("ECDH (simulator extension) matches libcrypto and refuses bad points", "[device]") {
  auto curve = GENERATE(wire::Curve::P256, wire::Curve::P384);
  TempChip t;
  auto dev = t.open_device();
  transport::PublicKey chip_pub = t.make_key(*dev, 0x0101, curve);
  maxq::testing::SoftwareEc sw;
  auto peer = sw.generate(curve);
  if (dev->link().reaches_hardware()) {
    // The FTDI link: a real part has no raw ECDH, so nothing is sent.
    CHECK_THROWS_AS(dev->ecdh(0x0101, maxq::testing::SoftwareEc::public_xy(peer.get())),
                    transport::UnsupportedError);
    return;
  }
  SecretBytes chip_secret = dev->ecdh(0x0101, maxq::testing::SoftwareEc::public_xy(peer.get()));
  Bytes soft_secret = sw.ecdh(peer.get(), sw.public_key(curve, chip_pub.xy).get());
  CHECK(chip_secret.view().to_bytes() == soft_secret);

  Bytes off_curve = maxq::testing::SoftwareEc::public_xy(peer.get());
  off_curve.back() ^= 1;
  CHECK_STATUS(dev->ecdh(0x0101, off_curve), Status::BadParameter);
  CHECK_STATUS(dev->ecdh(0x0101, Bytes(10, 1)), Status::WrongLength);
  CHECK_STATUS(dev->ecdh(0x0999, off_curve), Status::NotFound);
}

TEST_CASE("random numbers come from get challenge, 1024 bytes per command", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  sim::Chip& chip = TempChip::chip_of(*dev);
  auto before = chip.counters().snapshot();
  Bytes r = dev->random(2500);
  CHECK(r.size() == 2500);
  auto delta = chip.counters().snapshot() - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::GetChallenge)) == 3);  // 1024+1024+452
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::GetRandom)) == 0);
  CHECK(delta.total_commands() == 3);
  CHECK(dev->random(32) != dev->random(32));
  CHECK(dev->random(0).empty());
}

TEST_CASE("lifecycle moves one way and terminated blocks use", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  t.make_key(*dev, 0x0101);
  CHECK_STATUS(dev->set_lifecycle(wire::Lifecycle::Terminated), Status::AccessDenied);
  login(*dev, t.admin());
  CHECK_STATUS(dev->set_lifecycle(wire::Lifecycle::Initialized), Status::SecurityCondition);
  dev->set_lifecycle(wire::Lifecycle::Terminated);
  CHECK(dev->status().lifecycle == wire::Lifecycle::Terminated);
  CHECK_STATUS(dev->sign(0x0101, digest32()), Status::SecurityCondition);
  CHECK(dev->ping(Bytes{1}) == Bytes{1});
  // The state persists: a new session sees a terminated chip.
  auto again = t.open_device();
  CHECK_STATUS(again->random(8), Status::SecurityCondition);
}

TEST_CASE("chip errors name the operation and say what to do", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  auto message = [](const std::function<void()>& fn) -> std::string {
    try {
      fn();
    } catch (const transport::Error& e) {  // a ChipError, or UnsupportedError on ftdi
      return e.what();
    }
    return "no error";
  };
  CHECK_THAT(message([&] { dev->sign(0x0123, digest32()); }),
             Catch::Contains("0x0123") && Catch::Contains("not found") &&
                 Catch::Contains("maxq1061-tool list"));
  CHECK_THAT(message([&] { dev->create_object(ObjectSpec::key_pair(0x0101, wire::Curve::P256)); }),
             Catch::Contains("create object 0x0101") && Catch::Contains("admin"));
  CHECK_THAT(message([&] { dev->challenge(0); }),
             Catch::Contains("get challenge") && Catch::Contains("1 to 1024"));
  CHECK_THAT(message([&] { dev->read_object(0x0777); }),
             Catch::Contains("read object 0x0777") && Catch::Contains("status 0x0004"));
  CHECK_THAT(message([&] { dev->delete_object(wire::kAdminKeyId); }),
             Catch::Contains("delete object 0x1001") && Catch::Contains("MAXQ1061_ADMIN_KEY"));
  CHECK_THAT(message([&] { dev->set_lifecycle(wire::Lifecycle::Terminated); }),
             Catch::Contains("set lifecycle") && Catch::Contains("admin"));
  CHECK_THAT(message([&] { dev->ecdh(0x0999, Bytes(64, 1)); }),
             Catch::Contains("key exchange with key 0x0999"));
  CHECK_THAT(message([&] { dev->as_admin(t.key_import(), [] {}); }),
             Catch::Contains("admin authenticate") && Catch::Contains("MAXQ1061_ADMIN_KEY"));
  login(*dev, t.admin());
  dev->create_object(ObjectSpec::data(0x0300, 16));
  CHECK_THAT(message([&] { dev->create_object(ObjectSpec::data(0x0300, 16)); }),
             Catch::Contains("create object 0x0300") && Catch::Contains("exists"));
  CHECK_THAT(message([&] { dev->write_object(0x0300, 10, Bytes(10, 1)); }),
             Catch::Contains("write object 0x0300") && Catch::Contains("wrong offset or length"));
}

TEST_CASE("several threads share one device", "[device][threads]") {
  TempChip t;
  auto dev = t.open_device();
  transport::PublicKey pub = t.make_key(*dev, 0x0101);
  maxq::testing::SoftwareEc sw;
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      for (int j = 0; j < 200; ++j) {
        // A digest per thread and iteration: answers must never cross threads.
        Bytes digest(32, static_cast<uint8_t>(i));
        digest[0] = static_cast<uint8_t>(j);
        bool ok = sw.verify(wire::Curve::P256, pub.xy, digest, dev->sign(0x0101, digest));
        if (j % 10 == 0) ok = ok && dev->ping(digest) == digest && dev->random(16).size() == 16;
        (ok ? good : bad)++;
      }
    });
  for (auto& th : threads) th.join();
  CHECK(bad == 0);
  CHECK(good == 1600);
}

TEST_CASE("an unknown curve is refused before anything is sent", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  sim::Chip& chip = TempChip::chip_of(*dev);
  auto before = chip.counters().snapshot();
  CHECK_THROWS_WITH(dev->generate_key(0x0101, static_cast<wire::Curve>(9), t.key_import()),
                    Catch::Contains("generate key in object 0x0101") &&
                        Catch::Contains("not one the MAXQ1061 knows"));
  CHECK((chip.counters().snapshot() - before).total_commands() == 0);
  // A create for an unknown curve carries no capacity: the chip refuses it.
  login(*dev, t.admin());
  CHECK_STATUS(dev->create_object(ObjectSpec::key_pair(0x0102, static_cast<wire::Curve>(9))),
               Status::WrongLength);
}

TEST_CASE("requests that cannot fit a frame are refused before anything is sent", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  sim::Chip& chip = TempChip::chip_of(*dev);
  auto before = chip.counters().snapshot();
  CHECK_THROWS_WITH(dev->ping(Bytes(wire::kMaxPayload + 1, 1)),
                    Catch::Contains("ping") && Catch::Contains("more than one command frame"));
  CHECK_THROWS_AS(dev->write_object_chunked(0x0201, Bytes(70000, 1)), transport::Error);
  CHECK((chip.counters().snapshot() - before).total_commands() == 0);
  CHECK(dev->ping(Bytes(wire::kMaxPayload, 1)).size() == wire::kMaxPayload);  // the largest fits
}

TEST_CASE("public key objects: import, verify, and refused imports", "[device]") {
  TempChip t;
  auto dev = t.open_device();
  transport::PublicKey pub = t.make_key(*dev, 0x0101);
  auto ki = t.key_import();
  login(*dev, t.admin());
  dev->create_object(ObjectSpec::public_key(0x0401, wire::Curve::P256));
  dev->import_public_key(0x0401, pub, ki);
  CHECK(t.open_device()->read_public(0x0401) == pub);
  Bytes sig = dev->sign(0x0101, digest32());
  CHECK(dev->verify(0x0401, digest32(), sig));
  sig[0] ^= 0x80;
  CHECK_FALSE(dev->verify(0x0401, digest32(), sig));
  CHECK_STATUS(dev->verify(0x0401, digest32(), Bytes(10, 1)), Status::WrongLength);

  transport::PublicKey off_curve = pub;
  off_curve.xy.back() ^= 1;
  CHECK_STATUS(dev->import_public_key(0x0401, off_curve, ki), Status::BadParameter);
  transport::PublicKey short_key{wire::Curve::P256, Bytes(63, 1)};
  CHECK_THROWS_WITH(dev->import_public_key(0x0401, short_key, ki),
                    Catch::Contains("not a public key X || Y"));
  CHECK_STATUS(dev->import_public_key(0x0101, pub, ki), Status::BadParameter);  // a key pair
  CHECK_STATUS(dev->import_public_key(0x0999, pub, ki), Status::NotFound);
  transport::PublicKey p384 = t.make_key(*dev, 0x0102, wire::Curve::P384);
  login(*dev, t.admin());
  CHECK_STATUS(dev->import_public_key(0x0401, p384, ki), Status::WrongSize);  // sized for P-256
  CHECK_STATUS(dev->sign(0x0401, digest32()), Status::BadParameter);          // cannot sign
  auto plain = t.open_device();
  CHECK_STATUS(plain->import_public_key(0x0401, pub, ki), Status::AccessDenied);
  CHECK(plain->verify(0x0401, digest32(), dev->sign(0x0101, digest32())));  // everyone verifies
}
