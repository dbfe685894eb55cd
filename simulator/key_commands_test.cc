// Import key (generation on the chip and public keys), sign/verify and key
// exchange, checked against plain libcrypto.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Algorithm;
using wire::Command;
using wire::Curve;
using wire::ObjectProperty;
using wire::ObjectType;
using wire::Status;
namespace ossl = maxq::ossl;

namespace {

struct AdminHost {
  ProvisionedChip t;
  Host host{t.open()};
  RefCrypto ref;
  AdminHost() { REQUIRE(host.authenticate(t.admin_key) == 0); }
};

Bytes key_object(uint16_t id, ObjectType type, Curve curve, const Bytes& r = admin_managed_rules(),
                 ObjectProperty p = ObjectProperty::Persistent) {
  return payload::create(id, type, p, r, static_cast<uint16_t>(field_bytes(curve)));
}

Bytes sign(uint16_t id, const Bytes& data, Algorithm alg = Algorithm::EcdsaDigest) {
  return payload::sign_verify(wire::kModeSign, alg, id, data);
}
Bytes verify(uint16_t id, const Bytes& data, const Bytes& sig,
             Algorithm alg = Algorithm::EcdsaDigest) {
  return payload::sign_verify(wire::kModeVerify, alg, id, data, sig);
}

}  // namespace

TEST_CASE("keys generated on the chip sign what libcrypto verifies", "[commands][keys]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521, Curve::Brainpool256,
                         Curve::Brainpool384, Curve::Brainpool512);
  AdminHost a;
  Host& h = a.host;
  Bytes xy = h.make_key_pair(0x0101, curve);
  REQUIRE(xy.size() == 2 * field_bytes(curve));
  Bytes stored = h.ok(Command::ReadObject, payload::read(0x0101, 0, 0));
  CHECK(Bytes(stored.begin() + 1, stored.end()) == xy);

  Bytes digest = a.ref.digest("SHA256", Bytes{1, 2, 3});
  Bytes sig = h.ok(Command::SignVerify, sign(0x0101, digest));
  REQUIRE(sig.size() == 2 * field_bytes(curve));  // fixed-size r || s
  CHECK(a.ref.verify(curve, xy, digest, sig));
  CHECK(h.status(Command::SignVerify, verify(0x0101, digest, sig)) == 0);
  Bytes bad = sig;
  bad[bad.size() / 2] ^= 0x01;
  CHECK_FALSE(a.ref.verify(curve, xy, digest, bad));
  CHECK(h.status(Command::SignVerify, verify(0x0101, digest, bad)) == st(Status::BadSignature));
  // A fresh key replaces the old one: old signatures no longer verify.
  Bytes xy2 = h.ok(Command::ImportKey, payload::import_generate(0x0101, curve));
  CHECK(xy2 != xy);
  CHECK(h.status(Command::SignVerify, verify(0x0101, digest, sig)) == st(Status::BadSignature));
}

TEST_CASE("ECDSA with SHA-256/384/512 hashes the data on the chip", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes xy = h.make_key_pair(0x0101, Curve::P384);
  Bytes message(3000 / 2, 0x42);
  struct Case {
    Algorithm alg;
    const char* md;
  };
  for (Case c : {Case{Algorithm::EcdsaSha256, "SHA256"}, Case{Algorithm::EcdsaSha384, "SHA384"},
                 Case{Algorithm::EcdsaSha512, "SHA512"}}) {
    INFO(c.md);
    Bytes sig = h.ok(Command::SignVerify, sign(0x0101, message, c.alg));
    CHECK(a.ref.verify(Curve::P384, xy, a.ref.digest(c.md, message), sig));
    CHECK(h.status(Command::SignVerify, verify(0x0101, message, sig, c.alg)) == 0);
    Bytes other = message;
    other[0] ^= 1;
    CHECK(h.status(Command::SignVerify, verify(0x0101, other, sig, c.alg)) ==
          st(Status::BadSignature));
  }
}

TEST_CASE("public keys are imported and verify signatures", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes signer_xy = h.make_key_pair(0x0101, Curve::P256);
  REQUIRE(h.status(Command::CreateObject, key_object(0x0200, ObjectType::PublicKey, Curve::P256)) ==
          0);
  CHECK(h.status(Command::ReadObject, payload::read(0x0200, 0, 0)) == st(Status::ObjectEmpty));
  CHECK(h.ok(Command::ImportKey, payload::import_public(0x0200, Curve::P256, signer_xy)).empty());
  Bytes digest(32, 0x11);
  Bytes sig = h.ok(Command::SignVerify, sign(0x0101, digest));
  CHECK(h.status(Command::SignVerify, verify(0x0200, digest, sig)) == 0);
  sig[3] ^= 0x80;
  CHECK(h.status(Command::SignVerify, verify(0x0200, digest, sig)) == st(Status::BadSignature));
  // A public key cannot sign or agree on a secret.
  CHECK(h.status(Command::SignVerify, sign(0x0200, digest)) == st(Status::BadParameter));
  CHECK(h.status(Command::KeyExchange, payload::key_exchange(0x0200, signer_xy)) ==
        st(Status::BadParameter));
  Bytes off_curve = signer_xy;
  off_curve.back() ^= 0x01;
  CHECK(h.status(Command::ImportKey, payload::import_public(0x0200, Curve::P256, off_curve)) ==
        st(Status::BadParameter));
}

TEST_CASE("import key error paths", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  REQUIRE(h.status(Command::CreateObject, key_object(0x0101, ObjectType::KeyPair, Curve::P256)) ==
          0);
  REQUIRE(h.status(Command::CreateObject, key_object(0x0200, ObjectType::PublicKey, Curve::P256)) ==
          0);
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0300, ObjectType::Data, ObjectProperty::Persistent,
                                   admin_managed_rules(), 32)) == 0);
  auto import = [&](const Bytes& p) { return h.status(Command::ImportKey, p); };
  Bytes xy = a.ref.public_xy(a.ref.generate(Curve::P256).get());
  CHECK(import(payload::import_generate(0x0101, static_cast<Curve>(6))) ==
        st(Status::CurveNotSupported));
  CHECK(import(payload::import_generate(0x0101, static_cast<Curve>(0xFF))) ==
        st(Status::CurveNotSupported));
  Bytes private_blob = payload::import_generate(0x0101, Curve::P256);
  private_blob[3] = 1;  // format 1: a (signed) private key blob, not modelled
  CHECK(import(private_blob) == st(Status::AlgorithmNotSupported));
  CHECK(import(payload::import_generate(0x0999, Curve::P256)) == st(Status::NotFound));
  CHECK(import(payload::import_generate(0x0200, Curve::P256)) == st(Status::BadParameter));
  CHECK(import(payload::import_public(0x0101, Curve::P256, xy)) == st(Status::BadParameter));
  CHECK(import(payload::import_generate(0x0300, Curve::P256)) == st(Status::BadParameter));
  CHECK(import(payload::import_generate(0x0101, Curve::P384)) == st(Status::BadParameter));
  Bytes with_material = payload::import_generate(0x0101, Curve::P256);
  with_material.push_back(1);
  CHECK(import(with_material) == st(Status::WrongLength));
  CHECK(import(payload::import_public(0x0200, Curve::P256, Bytes(xy.begin(), xy.end() - 1))) ==
        st(Status::WrongLength));
  CHECK(import(Bytes{0x01, 0x01, 0x00}) == st(Status::WrongLength));
  // A 32-byte object holds brainpoolP256r1 as well as P-256.
  CHECK(import(payload::import_generate(0x0101, Curve::Brainpool256)) == 0);

  Host plain(a.t.open());
  CHECK(plain.status(Command::ImportKey, payload::import_generate(0x0101, Curve::P256)) ==
        st(Status::AccessDenied));
  CHECK(plain.status(Command::ImportKey, payload::import_public(0x0200, Curve::P256, xy)) ==
        st(Status::AccessDenied));
}

TEST_CASE("sign/verify error paths", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes digest(32, 0x5A);
  auto sv = [&](const Bytes& p) { return h.status(Command::SignVerify, p); };
  CHECK(sv(sign(0x0101, digest)) == st(Status::NotFound));
  REQUIRE(h.status(Command::CreateObject, key_object(0x0101, ObjectType::KeyPair, Curve::P256)) ==
          0);
  CHECK(sv(sign(0x0101, digest)) == st(Status::ObjectEmpty));
  CHECK(sv(verify(0x0101, digest, Bytes(64, 1))) == st(Status::ObjectEmpty));
  h.ok(Command::ImportKey, payload::import_generate(0x0101, Curve::P256));
  Bytes sig = h.ok(Command::SignVerify, sign(0x0101, digest));

  CHECK(sv(sign(0x0101, Bytes(19, 1))) == st(Status::WrongLength));
  CHECK(sv(sign(0x0101, Bytes(65, 1))) == st(Status::WrongLength));
  CHECK(sv(sign(0x0101, Bytes(20, 1))) == 0);
  CHECK(sv(sign(0x0101, Bytes(64, 1))) == 0);
  CHECK(sv(payload::sign_verify(wire::kModeSign, Algorithm::EcdsaDigest, 0x0101, digest, sig)) ==
        st(Status::WrongLength));  // a sign request carries no signature
  CHECK(sv(verify(0x0101, digest, Bytes(sig.begin(), sig.end() - 1))) == st(Status::WrongLength));
  Bytes truncated = verify(0x0101, digest, sig);
  truncated.pop_back();
  CHECK(sv(truncated) == st(Status::WrongLength));
  Bytes trailing = sign(0x0101, digest);
  trailing.push_back(0);
  CHECK(sv(trailing) == st(Status::WrongLength));
  Bytes mode3 = sign(0x0101, digest);
  mode3[0] = 3;
  CHECK(sv(mode3) == st(Status::BadParameter));
  Bytes reserved = sign(0x0101, digest);
  reserved[4] = 1;
  CHECK(sv(reserved) == st(Status::BadParameter));
  CHECK(sv(sign(0x0101, digest, Algorithm::Sha256)) == st(Status::AlgorithmNotSupported));
  CHECK(sv(sign(0x0101, digest, static_cast<Algorithm>(9))) == st(Status::AlgorithmNotSupported));
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0300, ObjectType::Data, ObjectProperty::Persistent,
                                   open_rules(), 32)) == 0);
  CHECK(sv(sign(0x0300, digest)) == st(Status::BadParameter));
  CHECK(sv(verify(0x0300, digest, sig)) == st(Status::BadParameter));

  // Execute needs its rule: a key only the admin may use.
  REQUIRE(h.status(Command::CreateObject,
                   key_object(0x0102, ObjectType::KeyPair, Curve::P256,
                              rules({{wire::Operation::Generate, wire::kRoleAdmin},
                                     {wire::Operation::Execute, wire::kRoleAdmin}}))) == 0);
  h.ok(Command::ImportKey, payload::import_generate(0x0102, Curve::P256));
  CHECK(sv(sign(0x0102, digest)) == 0);
  Host plain(a.t.open());
  CHECK(plain.status(Command::SignVerify, sign(0x0102, digest)) == st(Status::AccessDenied));
  CHECK(plain.status(Command::SignVerify, sign(0x0101, digest)) == 0);  // everyone may use 0x0101
}

TEST_CASE("ECDH on the chip matches libcrypto", "[commands][keys]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521, Curve::Brainpool384);
  AdminHost a;
  Host& h = a.host;
  Bytes chip_xy = h.make_key_pair(0x0101, curve);
  ossl::PkeyPtr peer = a.ref.generate(curve);
  Bytes secret =
      h.ok(Command::KeyExchange, payload::key_exchange(0x0101, a.ref.public_xy(peer.get())));
  CHECK(secret.size() == field_bytes(curve));
  ossl::PkeyPtr chip_pub = a.ref.public_key(curve, chip_xy);
  REQUIRE(chip_pub);
  CHECK(secret == a.ref.ecdh(peer.get(), chip_pub.get()));
}

TEST_CASE("key exchange refuses points that are not on the key's curve", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  h.make_key_pair(0x0101, Curve::P256);
  auto kex = [&](const Bytes& xy) {
    return h.status(Command::KeyExchange, payload::key_exchange(0x0101, xy));
  };
  Bytes good = a.ref.public_xy(a.ref.generate(Curve::P256).get());
  Bytes off = good;
  off.back() ^= 0x01;
  CHECK(kex(off) == st(Status::BadParameter));
  CHECK(kex(Bytes(64, 0x00)) == st(Status::BadParameter));  // the "point" (0, 0)
  CHECK(kex(Bytes(64, 0xFF)) == st(Status::BadParameter));  // coordinates beyond p
  // A brainpoolP256r1 point has the right size but lies on another curve.
  CHECK(kex(a.ref.public_xy(a.ref.generate(Curve::Brainpool256).get())) ==
        st(Status::BadParameter));
  CHECK(kex(a.ref.public_xy(a.ref.generate(Curve::P384).get())) == st(Status::WrongLength));
  CHECK(kex(Bytes(10, 1)) == st(Status::WrongLength));
  Bytes truncated = payload::key_exchange(0x0101, good);
  truncated.pop_back();
  CHECK(h.status(Command::KeyExchange, truncated) == st(Status::WrongLength));
  CHECK(kex(good) == 0);
}

TEST_CASE("key exchange error paths", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes peer = a.ref.public_xy(a.ref.generate(Curve::P256).get());
  auto kex = [&](Host& host, uint16_t id) {
    return host.status(Command::KeyExchange, payload::key_exchange(id, peer));
  };
  CHECK(kex(h, 0x0101) == st(Status::NotFound));
  CHECK(kex(h, wire::kAdminKeyId) == st(Status::BadParameter));  // a public key
  REQUIRE(h.status(Command::CreateObject,
                   key_object(0x0101, ObjectType::KeyPair, Curve::P256,
                              rules({{wire::Operation::Generate, wire::kRoleAdmin},
                                     {wire::Operation::Execute, wire::kRoleAdmin}}))) == 0);
  CHECK(kex(h, 0x0101) == st(Status::ObjectEmpty));
  h.ok(Command::ImportKey, payload::import_generate(0x0101, Curve::P256));
  CHECK(kex(h, 0x0101) == 0);
  Host plain(a.t.open());
  CHECK(kex(plain, 0x0101) == st(Status::AccessDenied));
}

TEST_CASE("temporary key pairs work without the admin and never touch the state file",
          "[commands][keys]") {
  ProvisionedChip t;
  Host h(t.open());
  RefCrypto ref;
  Bytes before = read_file(t.state);
  REQUIRE(h.status(Command::CreateObject, key_object(0x8001, ObjectType::KeyPair, Curve::P384,
                                                     open_rules(), ObjectProperty::Temporary)) ==
          0);
  Bytes xy = h.ok(Command::ImportKey, payload::import_generate(0x8001, Curve::P384));
  Bytes digest(48, 3);
  CHECK(ref.verify(Curve::P384, xy, digest, h.ok(Command::SignVerify, sign(0x8001, digest))));
  ossl::PkeyPtr peer = ref.generate(Curve::P384);
  CHECK(
      h.ok(Command::KeyExchange, payload::key_exchange(0x8001, ref.public_xy(peer.get()))).size() ==
      48);
  CHECK(h.status(Command::DeleteObject, payload::u16(0x8001)) == 0);
  CHECK(read_file(t.state) == before);
}
