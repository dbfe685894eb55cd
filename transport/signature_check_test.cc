// Signatures are checked in software before the Device releases them: a
// signature damaged without failing the CRC is never returned.
#include "transport/signature_check.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "simulated_links/simulated_links.h"
#include "test/support/software_ec.h"
#include "test/support/temp_chip.h"
#include "transport/device_spec.h"
#include "transport/errors.h"
#include "wire/frame_codec.h"
#include "wire/openssl_handles.h"

using namespace maxq;
using maxq::testing::TempChip;
using transport::ObjectSpec;

namespace {

// Damages the signature in sign responses and re-seals the frame with a valid
// CRC: what an undetected bus error (a CRC-16 collision) looks like.
class TamperingLink : public transport::Link {
 public:
  explicit TamperingLink(std::unique_ptr<transport::Link> inner) : inner_(std::move(inner)) {}
  Bytes transact(ByteView frame, size_t expected) override {
    Bytes raw = inner_->transact(frame, expected);
    bool is_sign = frame.size() > 5 &&
                   frame[2] == static_cast<uint8_t>(wire::Command::SignVerify) &&
                   frame[5] == wire::kModeSign;
    wire::ResponseFrame rsp;
    if (damage_next > 0 && raw.size() > 2) {
      // A damaged answer the CRC catches: what a noisy link mostly produces.
      --damage_next;
      raw[raw.size() - 2] ^= 0x01;
      return raw;
    }
    if (is_sign && tamper_next > 0 && wire::decode_response(raw, rsp) == wire::FrameError::None &&
        rsp.status == 0 && !rsp.payload.empty()) {
      --tamper_next;
      ++tampered;
      rsp.payload[rsp.payload.size() / 2 - 1] ^= 0x01;  // last byte of r
      return wire::encode_response(rsp.status, rsp.payload);
    }
    return raw;
  }
  void reset() override { inner_->reset(); }
  std::string describe() const override { return inner_->describe(); }
  std::string lock_path() const override { return inner_->lock_path(); }
  int tamper_next = 0, tampered = 0, damage_next = 0;

 private:
  std::unique_ptr<transport::Link> inner_;
};

struct TamperedDevice {
  TempChip t;
  TamperingLink* link = nullptr;
  sim::Chip* chip = nullptr;
  std::unique_ptr<transport::Device> dev;
  transport::PublicKey pub;
  explicit TamperedDevice(transport::DeviceOptions options = {}) {
    auto bus = std::make_unique<transport::SimBus>(sim::Chip::open(t.state));
    chip = &bus->chip();
    auto l = std::make_unique<TamperingLink>(std::make_unique<transport::SpiLink>(std::move(bus)));
    link = l.get();
    dev = std::make_unique<transport::Device>(std::move(l), options);
    pub = t.make_key(*dev, 0x0101);
  }
};

// A P-256 key pair whose public part only the admin may read.
ObjectSpec admin_readable_key_pair(uint16_t id) {
  ObjectSpec spec = ObjectSpec::key_pair(id, wire::Curve::P256);
  for (auto st :
       {wire::Lifecycle::Delivery, wire::Lifecycle::Initialized, wire::Lifecycle::Operational})
    wire::set_rule_roles(spec.rules, st, wire::Operation::Read, wire::kRoleAdmin);
  return spec;
}

// Generates the key of an existing P-256 pair object again, as admin.
transport::PublicKey regenerate(const TempChip& t, transport::Device& dev, uint16_t id) {
  transport::PublicKey key;
  dev.as_admin(t.admin(), [&] { key = dev.generate_key(id, wire::Curve::P256, t.key_import()); });
  return key;
}

}  // namespace

TEST_CASE("SignatureCheck verifies chip signatures and refuses anything else", "[sigcheck]") {
  auto curve = GENERATE(wire::Curve::P256, wire::Curve::P384, wire::Curve::P521);
  ERR_clear_error();  // judge only what happens here
  TempChip t;
  auto dev = t.open_device();
  transport::PublicKey pub = t.make_key(*dev, 0x0101, curve);
  Bytes digest(48, 0x3C);
  Bytes sig = dev->sign(0x0101, digest);
  transport::SignatureCheck check;
  CHECK(check.verify(curve, pub.xy, digest, sig));
  Bytes bad = sig;
  bad.back() ^= 0x01;
  CHECK_FALSE(check.verify(curve, pub.xy, digest, bad));
  Bytes other_digest = digest;
  other_digest[0] ^= 0x01;
  CHECK_FALSE(check.verify(curve, pub.xy, other_digest, sig));
  Bytes off_curve = pub.xy;
  off_curve.back() ^= 0x01;
  CHECK_FALSE(check.verify(curve, off_curve, digest, sig));
  CHECK_FALSE(check.verify(curve, ByteView(pub.xy).subview(1), digest, sig));
  CHECK_FALSE(check.verify(curve, pub.xy, digest, ByteView(sig).subview(1)));
  CHECK_FALSE(check.verify(curve, pub.xy, digest, Bytes{}));
  CHECK_FALSE(check.verify(static_cast<wire::Curve>(9), pub.xy, digest, sig));
  CHECK(ERR_peek_error() == 0);
}

// The provider hands the Device a verifier of its own
// (provider/application_signature_check.h): made once, at the first check,
// and the one every check then goes through.
TEST_CASE("a Device checks with the verifier its options make, made at the first check",
          "[sigcheck]") {
  struct CountingVerifier final : transport::SignatureVerifier {
    std::atomic<int>* verifies;
    transport::SignatureCheck software;
    explicit CountingVerifier(std::atomic<int>* v) : verifies(v) {}
    bool verify(wire::Curve curve, ByteView xy, ByteView digest, ByteView raw) const override {
      ++*verifies;
      return software.verify(curve, xy, digest, raw);
    }
    std::optional<wire::Curve> curve_of_point(ByteView xy) const override {
      return software.curve_of_point(xy);
    }
  };
  TempChip t;
  transport::PublicKey pub = t.make_key(*t.open_device(), 0x0101);
  std::atomic<int> made{0}, verifies{0};
  transport::DeviceOptions options;
  options.make_signature_verifier = [&]() -> std::unique_ptr<transport::SignatureVerifier> {
    ++made;
    return std::make_unique<CountingVerifier>(&verifies);
  };
  transport::Device dev(simulated_links::all_links().open("sim:" + t.state), options);
  transport::PublicKey wrong = pub;
  wrong.xy = t.make_key(*t.open_device(), 0x0102).xy;
  CHECK(dev.status().serial == t.open_device()->status().serial);
  CHECK(made == 0);  // nothing signed yet: not made
  // The first signature under a given key is checked, and a wrong key refused.
  Bytes digest(32, 0x5A);
  CHECK(transport::SignatureCheck().verify(wire::Curve::P256, pub.xy, digest,
                                           dev.sign(0x0101, digest, &pub)));
  CHECK(made == 1);
  CHECK(verifies == 1);
  CHECK_THROWS_AS(dev.sign(0x0101, digest, &wrong), transport::KeyMismatchError);
  CHECK(made == 1);
  CHECK(verifies > 1);
}

// A maker that gives nothing leaves the software check in place.
TEST_CASE("a verifier maker that gives nothing leaves the software check", "[sigcheck]") {
  TempChip t;
  transport::PublicKey pub = t.make_key(*t.open_device(), 0x0101);
  transport::DeviceOptions options;
  options.verify_signatures = transport::SignatureChecking::Always;
  options.make_signature_verifier = [] { return std::unique_ptr<transport::SignatureVerifier>(); };
  transport::Device dev(simulated_links::all_links().open("sim:" + t.state), options);
  Bytes digest(32, 0x11);
  CHECK(transport::SignatureCheck().verify(wire::Curve::P256, pub.xy, digest,
                                           dev.sign(0x0101, digest, &pub)));
  transport::PublicKey wrong = pub;
  wrong.xy = t.make_key(*t.open_device(), 0x0102).xy;
  CHECK_THROWS_AS(dev.sign(0x0101, digest, &wrong), transport::KeyMismatchError);
}

transport::DeviceOptions checking(transport::SignatureChecking when) {
  transport::DeviceOptions o;
  o.verify_signatures = when;
  return o;
}

// A device on t's chip that checks every signature.
std::unique_ptr<transport::Device> checked_device(const TempChip& t) {
  return std::make_unique<transport::Device>(
      std::make_unique<transport::SpiLink>(
          std::make_unique<transport::SimBus>(sim::Chip::open(t.state))),
      checking(transport::SignatureChecking::Always));
}

TEST_CASE("a signature damaged without failing the CRC is signed again, never returned",
          "[sigcheck]") {
  TamperedDevice d(checking(transport::SignatureChecking::Always));
  maxq::testing::SoftwareEc sw;
  sim::Chip& chip = *d.chip;
  auto before = chip.counters().snapshot();
  d.link->tamper_next = 2;
  Bytes digest(32, 0x11);
  Bytes sig = d.dev->sign(0x0101, digest);
  CHECK(sw.verify(wire::Curve::P256, d.pub.xy, digest, sig));
  CHECK(d.link->tampered == 2);
  auto delta = chip.counters().snapshot() - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::SignVerify)) == 3);
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::ReadObject)) == 1);  // key re-read once

  d.link->tamper_next = 1000;
  try {
    d.dev->sign(0x0101, digest);
    FAIL("a damaged signature was returned");
  } catch (const transport::ProtocolError& e) {
    CHECK_THAT(e.what(), Catch::Contains("sign with key 0x0101") &&
                             Catch::Contains("did not verify") && Catch::Contains("wiring"));
  }
}

TEST_CASE("signature checking can be turned off", "[sigcheck]") {
  TamperedDevice d(checking(transport::SignatureChecking::Never));
  d.link->tamper_next = 1;
  maxq::testing::SoftwareEc sw;
  CHECK_FALSE(
      sw.verify(wire::Curve::P256, d.pub.xy, Bytes(32, 1), d.dev->sign(0x0101, Bytes(32, 1))));
}

TEST_CASE("a key regenerated by another session is re-read, and the sign still succeeds",
          "[sigcheck]") {
  TempChip t;
  auto user = checked_device(t);
  auto admin = t.open_device();
  t.make_key(*admin, 0x0101);
  Bytes digest(32, 0x22);
  user->sign(0x0101, digest);  // caches the first public key
  transport::PublicKey fresh = regenerate(t, *admin, 0x0101);
  maxq::testing::SoftwareEc sw;
  CHECK(sw.verify(wire::Curve::P256, fresh.xy, digest, user->sign(0x0101, digest)));
}

TEST_CASE("a key whose public part this session may not read is signed with, unchecked",
          "[sigcheck]") {
  TempChip t;
  auto admin = t.open_device();
  transport::PublicKey pub;
  admin->as_admin(t.admin(), [&] {
    admin->create_object(admin_readable_key_pair(0x0101));
    pub = admin->generate_key(0x0101, wire::Curve::P256, t.key_import());
  });
  auto user = checked_device(t);
  maxq::testing::SoftwareEc sw;
  CHECK(sw.verify(wire::Curve::P256, pub.xy, Bytes(32, 5), user->sign(0x0101, Bytes(32, 5))));
}

TEST_CASE("a public key the caller already knows saves the read", "[sigcheck]") {
  TempChip t;
  auto admin = t.open_device();
  transport::PublicKey pub = t.make_key(*admin, 0x0101, wire::Curve::P384);
  auto user = checked_device(t);
  sim::Chip& chip = TempChip::chip_of(*user);
  auto before = chip.counters().snapshot();
  CHECK(user->sign(0x0101, Bytes(48, 7), &pub).size() == 96);
  auto delta = chip.counters().snapshot() - before;
  CHECK(delta.total_commands() == 1);  // the sign alone
}

TEST_CASE("by default a clean link's signatures are not checked; after damage they are",
          "[sigcheck]") {
  TamperedDevice d;  // SignatureChecking::AfterDamage
  maxq::testing::SoftwareEc sw;
  sim::Chip& chip = *d.chip;
  const Bytes digest(32, 0x44);
  auto sign_count = [&](const sim::CounterSnapshot& delta) {
    return delta.count(static_cast<uint8_t>(wire::Command::SignVerify));
  };

  // Clean link: an undetectable corruption goes through (the price of not
  // checking), and no public key is read.
  auto before = chip.counters().snapshot();
  d.link->tamper_next = 1;
  CHECK_FALSE(sw.verify(wire::Curve::P256, d.pub.xy, digest, d.dev->sign(0x0101, digest)));
  CHECK((chip.counters().snapshot() - before).total_commands() == 1);

  // One answer damaged where the CRC sees it: the link is suspect, so the next
  // signatures are checked and a CRC-passing corruption is signed again.
  d.link->damage_next = 1;
  d.link->tamper_next = 1;
  before = chip.counters().snapshot();
  Bytes sig = d.dev->sign(0x0101, digest);
  CHECK(sw.verify(wire::Curve::P256, d.pub.xy, digest, sig));
  auto delta = chip.counters().snapshot() - before;
  CHECK(sign_count(delta) == 3);  // damaged (CRC), tampered (caught by the check), good
  CHECK(d.link->tampered == 2);

  // After kCleanCommandsToTrust intact commands the link is trusted again.
  for (uint64_t i = 0; i < transport::kCleanCommandsToTrust; ++i) d.dev->ping(Bytes{1});
  d.link->tamper_next = 1;
  CHECK_FALSE(sw.verify(wire::Curve::P256, d.pub.xy, digest, d.dev->sign(0x0101, digest)));
}

TEST_CASE("a key given by the caller that the object no longer holds is refused, saying so",
          "[sigcheck]") {
  TempChip t;
  auto admin = t.open_device();
  transport::PublicKey old_key = t.make_key(*admin, 0x0101);
  transport::PublicKey held = regenerate(t, *admin, 0x0101);  // again
  REQUIRE(old_key.xy != held.xy);

  auto user = t.open_device();  // default: SignatureChecking::AfterDamage, a clean link
  sim::Chip& chip = TempChip::chip_of(*user);
  const Bytes digest(32, 0x51);
  auto sign_count = [](const sim::CounterSnapshot& d) {
    return d.count(static_cast<uint8_t>(wire::Command::SignVerify));
  };
  // A stale reference: its signature is checked, found wrong, the chip's key
  // read, and the difference reported, on every try (never signed unchecked).
  for (int round = 0; round < 2; ++round) {
    auto before = chip.counters().snapshot();
    CHECK_THROWS_WITH(user->sign(0x0101, digest, &old_key),
                      Catch::Contains("object 0x0101 holds a different key") &&
                          Catch::Contains("maxq1061:id=0x0101"));
    auto delta = chip.counters().snapshot() - before;
    CHECK(sign_count(delta) == 1);
    CHECK(delta.total_commands() == 2);  // the sign and one read of the public key
  }

  // The right key: its first signature is checked without any read, later
  // ones (on a clean link) are not checked at all; the stale key still fails.
  maxq::testing::SoftwareEc sw;
  auto before = chip.counters().snapshot();
  CHECK(sw.verify(wire::Curve::P256, held.xy, digest, user->sign(0x0101, digest, &held)));
  CHECK(user->sign(0x0101, digest, &held).size() == 64);
  CHECK(user->sign(0x0101, digest).size() == 64);
  CHECK((chip.counters().snapshot() - before).total_commands() == 3);
  CHECK_THROWS_AS(user->sign(0x0101, digest, &old_key), transport::KeyMismatchError);
}

// Threads holding different keys for one object (a stale reference and a
// current one) each get the answer for their own key, in any interleaving,
// also after another thread read the object's key from the chip.
TEST_CASE("threads with a stale and a current key for one object cannot mix them up",
          "[sigcheck][threads]") {
  TempChip t;
  auto admin = t.open_device();
  transport::PublicKey old_key = t.make_key(*admin, 0x0101);
  transport::PublicKey held = regenerate(t, *admin, 0x0101);
  auto user = t.open_device();
  maxq::testing::SoftwareEc sw;
  const Bytes digest(32, 0x52);
  std::atomic<int> wrong{0}, refused{0}, signed_ok{0};
  auto worker = [&](int n) {
    for (int i = 0; i < 40; ++i) {
      bool stale = (i + n) % 2 == 0;
      if (i % 7 == 0) user->read_public(0x0101);  // what loading maxq1061:id= does
      try {
        Bytes sig = user->sign(0x0101, digest, stale ? &old_key : &held);
        if (stale || !sw.verify(wire::Curve::P256, held.xy, digest, sig))
          ++wrong;
        else
          ++signed_ok;
      } catch (const transport::KeyMismatchError&) {
        if (!stale) ++wrong;
        ++refused;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int n = 0; n < 4; ++n) threads.emplace_back(worker, n);
  for (auto& th : threads) th.join();
  CHECK(wrong == 0);
  CHECK(refused == 80);
  CHECK(signed_ok == 80);
}

TEST_CASE("a given key that this session may not read and that does not verify is refused",
          "[sigcheck]") {
  TempChip t;
  auto admin = t.open_device();
  transport::PublicKey old_key;
  admin->as_admin(t.admin(), [&] {
    admin->create_object(admin_readable_key_pair(0x0101));
    old_key = admin->generate_key(0x0101, wire::Curve::P256, t.key_import());
    admin->generate_key(0x0101, wire::Curve::P256, t.key_import());
  });
  auto user = t.open_device();
  sim::Chip& chip = TempChip::chip_of(*user);
  auto before = chip.counters().snapshot();
  CHECK_THROWS_WITH(user->sign(0x0101, Bytes(32, 3), &old_key),
                    Catch::Contains("may not read the object's key") &&
                        Catch::Contains("older than the key the object holds") &&
                        Catch::Contains("the bus corrupts data"));
  // Two tries (sign and failed read each), not the whole damage budget.
  CHECK((chip.counters().snapshot() - before).total_commands() == 4);
}

TEST_CASE("the first signature of a given key, damaged past the CRC, is signed again",
          "[sigcheck]") {
  TamperedDevice d;  // a chip holding key 0x0101 (d.pub)
  // Another process, which knows the key from a reference file, on a link that
  // corrupts its first signature without failing the CRC.
  auto bus = std::make_unique<transport::SimBus>(sim::Chip::open(d.t.state));
  sim::Chip& chip = bus->chip();
  auto l = std::make_unique<TamperingLink>(std::make_unique<transport::SpiLink>(std::move(bus)));
  TamperingLink* link = l.get();
  transport::Device user(std::move(l));
  link->tamper_next = 1;
  const Bytes digest(32, 0x61);
  auto before = chip.counters().snapshot();
  Bytes sig = user.sign(0x0101, digest, &d.pub);
  maxq::testing::SoftwareEc sw;
  CHECK(sw.verify(wire::Curve::P256, d.pub.xy, digest, sig));
  CHECK(link->tampered == 1);
  auto delta = chip.counters().snapshot() - before;
  // Tampered sign, the read that shows the key is the same, the sign again.
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::SignVerify)) == 2);
  CHECK(delta.total_commands() == 3);
}

TEST_CASE("SignatureChecking::Never checks nothing, not even a given key", "[sigcheck]") {
  TamperedDevice d;
  transport::DeviceOptions never;
  never.verify_signatures = transport::SignatureChecking::Never;
  transport::Device user(simulated_links::all_links().open("sim:" + d.t.state), never);
  transport::PublicKey other = d.pub;
  other.xy.back() ^= 0x01;  // not even a point: nothing looks at it
  sim::Chip& chip = *d.chip;
  auto before = chip.counters().snapshot();
  CHECK(user.sign(0x0101, Bytes(32, 2), &other).size() == 64);
  CHECK((chip.counters().snapshot() - before).total_commands() == 1);
}

TEST_CASE("curve_of_point tells the curve from the point alone", "[sigcheck]") {
  ERR_clear_error();
  maxq::testing::SoftwareEc sw;
  transport::SignatureCheck check;
  // P-256 and brainpoolP256r1 share the field size: only the point tells them apart.
  for (auto curve : {wire::Curve::P256, wire::Curve::Brainpool256, wire::Curve::P384,
                     wire::Curve::Brainpool384, wire::Curve::P521, wire::Curve::Brainpool512}) {
    INFO("curve " << static_cast<int>(curve));
    for (int i = 0; i < 3; ++i) {
      auto key = sw.generate(curve);
      Bytes xy = maxq::testing::SoftwareEc::public_xy(key.get());
      REQUIRE(xy.size() == 2 * wire::curve_info(curve)->field_bytes);
      CHECK(check.curve_of_point(xy) == curve);
      Bytes off_curve = xy;
      off_curve.back() ^= 0x01;
      CHECK_FALSE(check.curve_of_point(off_curve));
    }
  }
  auto p256 = maxq::testing::SoftwareEc::public_xy(sw.generate(wire::Curve::P256).get());
  CHECK_FALSE(check.curve_of_point(ByteView(p256).subview(1)));  // 63 bytes: no curve's size
  CHECK_FALSE(check.curve_of_point(Bytes{}));
  CHECK_FALSE(check.curve_of_point(Bytes(64, 0)));  // the point at infinity is no public key
  Bytes with_prefix{0x04};
  with_prefix.insert(with_prefix.end(), p256.begin(), p256.end());
  CHECK_FALSE(check.curve_of_point(with_prefix));  // X || Y only, no 04
  CHECK(ERR_peek_error() == 0);                    // nothing of the failed tries left behind
}
