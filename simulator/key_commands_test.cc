// Sign/verify (C8) and the model's raw-ECDH key exchange (C3 pass 0x80),
// checked against plain libcrypto.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"
#include "wire/key_layout.h"

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

Bytes sign(uint16_t id, const Bytes& data, Algorithm alg = Algorithm::EcdsaDigest) {
  return payload::sign_verify(wire::kModeSign, alg, id, data);
}
Bytes verify(uint16_t id, const Bytes& data, const Bytes& sig,
             Algorithm alg = Algorithm::EcdsaDigest) {
  return payload::sign_verify(wire::kModeVerify, alg, id, data, sig);
}

}  // namespace

TEST_CASE("the published sign frame is the layout the chip decodes", "[commands][keys]") {
  Bytes digest(32);
  for (size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<uint8_t>(i);
  Bytes frame = wire::encode_command(Command::SignVerify, sign(0x0101, digest));
  CHECK(frame.size() == 5 + 0x2A + 2);
  CHECK(Bytes(frame.begin(), frame.begin() + 13) ==
        Bytes({0xAA, 0x00, 0xC8, 0x00, 0x2A, 0x02, 0x08, 0x01, 0x01, 0x00, 0x00, 0x00, 0x20}));
  CHECK(Bytes(frame.end() - 4, frame.end()) == Bytes({0x00, 0x00, 0x10, 0xEE}));
  AdminHost a;
  Bytes xy = a.host.make_key_pair(0x0101, Curve::P256);
  wire::CommandFrame decoded;
  REQUIRE(wire::decode_command(frame, decoded) == wire::FrameError::None);
  Bytes sig = a.host.ok(Command::SignVerify, decoded.payload);
  REQUIRE(sig.size() == 64);
  CHECK(a.ref.verify(Curve::P256, xy, digest, sig));
}

TEST_CASE("field-size digests (algorithm 08) sign what libcrypto verifies on every curve",
          "[commands][keys]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521, Curve::Brainpool256,
                         Curve::Brainpool384, Curve::Brainpool512);
  AdminHost a;
  Host& h = a.host;
  const wire::CurveInfo info = *wire::curve_info(curve);
  Bytes xy = h.make_key_pair(0x0101, curve);
  for (const char* md : {"SHA256", "SHA384", "SHA512"}) {
    INFO(md);
    Bytes hash = a.ref.digest(md, Bytes{1, 2, 3});
    Bytes e = wire::ecdsa_field_digest(info, hash);
    REQUIRE(e.size() == info.field_bytes);
    Bytes sig = h.ok(Command::SignVerify, sign(0x0101, e));
    REQUIRE(sig.size() == 2 * info.field_bytes);  // fixed-size r || s
    // The host's software ECDSA over the hash itself agrees.
    CHECK(a.ref.verify(curve, xy, hash, sig));
    CHECK(h.status(Command::SignVerify, verify(0x0101, e, sig)) == 0);
    Bytes bad = sig;
    bad[bad.size() / 2] ^= 0x01;
    CHECK_FALSE(a.ref.verify(curve, xy, hash, bad));
    CHECK(h.status(Command::SignVerify, verify(0x0101, e, bad)) == st(Status::BadSignature));
  }
}

TEST_CASE("other digest lengths are raw hashes truncated the ECDSA way", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes xy256 = h.make_key_pair(0x0101, Curve::P256);
  Bytes xy521 = h.make_key_pair(0x0102, Curve::P521);
  for (size_t n : {20, 28, 48, 64}) {
    Bytes hash(n, 0xA5);
    Bytes s256 = h.ok(Command::SignVerify, sign(0x0101, hash));
    CHECK(a.ref.verify(Curve::P256, xy256, hash, s256));
    Bytes s521 = h.ok(Command::SignVerify, sign(0x0102, hash));
    CHECK(a.ref.verify(Curve::P521, xy521, hash, s521));
  }
  CHECK(h.status(Command::SignVerify, sign(0x0101, Bytes(19, 1))) == st(Status::WrongLength));
  CHECK(h.status(Command::SignVerify, sign(0x0101, Bytes(65, 1))) == st(Status::WrongLength));
  CHECK(h.status(Command::SignVerify, sign(0x0101, Bytes(66, 1))) == st(Status::WrongLength));
  // P-521: 66 bytes are the integer e, which must stay below 2^521.
  Bytes e(66, 0xFF);
  e[0] = 0x01;
  Bytes sig = h.ok(Command::SignVerify, sign(0x0102, e));
  CHECK(h.status(Command::SignVerify, verify(0x0102, e, sig)) == 0);
  // libcrypto, handed e << 7, takes e back as its leftmost 521 bits.
  Bytes shifted(66, 0xFF);
  shifted[0] = 0xFF;
  shifted[65] = 0x80;
  CHECK(a.ref.verify(Curve::P521, xy521, shifted, sig));
  e[0] = 0x02;
  CHECK(h.status(Command::SignVerify, sign(0x0102, e)) == st(Status::BadParameter));
}

TEST_CASE("ECDSA with SHA-256/384/512 hashes the data on the chip", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes xy = h.make_key_pair(0x0101, Curve::P384);
  Bytes message(1500, 0x42);
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

TEST_CASE("public keys verify signatures but never sign", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes signer_xy = h.make_key_pair(0x0101, Curve::P256);
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0200, ObjectType::PublicKey, ObjectProperty::Persistent,
                                   admin_managed_rules(), 64)) == 0);
  REQUIRE(h.import(0x0200, payload::descriptor(Curve::P256, signer_xy)) == 0);
  Bytes digest(32, 0x11);
  Bytes sig = h.ok(Command::SignVerify, sign(0x0101, digest));
  CHECK(h.status(Command::SignVerify, verify(0x0200, digest, sig)) == 0);
  sig[3] ^= 0x80;
  CHECK(h.status(Command::SignVerify, verify(0x0200, digest, sig)) == st(Status::BadSignature));
  CHECK(h.status(Command::SignVerify, sign(0x0200, digest)) == st(Status::BadParameter));
  CHECK(h.status(Command::KeyExchange, payload::key_exchange(0x0200, signer_xy)) ==
        st(Status::BadParameter));
}

TEST_CASE("sign/verify error paths", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes digest(32, 0x5A);
  auto sv = [&](const Bytes& p) { return h.status(Command::SignVerify, p); };
  CHECK(sv(sign(0x0101, digest)) == st(Status::NotFound));
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0101, ObjectType::KeyPair, ObjectProperty::Persistent,
                                   admin_managed_rules(), 96)) == 0);
  CHECK(sv(sign(0x0101, digest)) == st(Status::ObjectEmpty));
  CHECK(sv(verify(0x0101, digest, Bytes(64, 1))) == st(Status::ObjectEmpty));
  REQUIRE(h.generate(0x0101, Curve::P256) == 0);
  Bytes sig = h.ok(Command::SignVerify, sign(0x0101, digest));

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
  for (size_t at : {4, 5}) {  // the u16 reserved field
    Bytes reserved = sign(0x0101, digest);
    reserved[at] = 1;
    CHECK(sv(reserved) == st(Status::BadParameter));
  }
  CHECK(sv(sign(0x0101, digest, Algorithm::EcdsaInnerMd)) == st(Status::AccessDenied));
  for (uint8_t alg : {0x00, 0x02, 0x07, 0x0D, 0x11, 0xFF})
    CHECK(sv(sign(0x0101, digest, static_cast<Algorithm>(alg))) ==
          st(Status::AlgorithmNotSupported));
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0300, ObjectType::Data, ObjectProperty::Persistent,
                                   open_rules(), 32)) == 0);
  CHECK(sv(sign(0x0300, digest)) == st(Status::BadParameter));
  CHECK(sv(verify(0x0300, digest, sig)) == st(Status::BadParameter));

  // Execute needs its rule: a key only the admin may use.
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0102, ObjectType::KeyPair, ObjectProperty::Persistent,
                                   rules({{wire::Operation::Generate, wire::kRoleAdmin},
                                          {wire::Operation::Execute, wire::kRoleAdmin}}),
                                   96)) == 0);
  REQUIRE(h.generate(0x0102, Curve::P256) == 0);
  CHECK(sv(sign(0x0102, digest)) == 0);
  Host plain(a.t.open());
  CHECK(plain.status(Command::SignVerify, sign(0x0102, digest)) == st(Status::AccessDenied));
  CHECK(plain.status(Command::SignVerify, sign(0x0101, digest)) == 0);  // everyone may use 0x0101
}

TEST_CASE("a key signs only with a signing usage in its policy (MODELLED)", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes digest(32, 0x33);
  uint16_t id = 0x0110;
  for (auto [usage, signs] : {std::pair{wire::KeyUsage::DataSignature, true},
                              {wire::KeyUsage::TlsAuthentication, true},
                              {wire::KeyUsage::KeyExchange, false},
                              {wire::KeyUsage::Encryption, false},
                              {wire::KeyUsage::None, false}}) {
    INFO("usage " << int(static_cast<uint8_t>(usage)));
    REQUIRE(h.status(Command::CreateObject,
                     payload::create(id, ObjectType::KeyPair, ObjectProperty::Persistent,
                                     admin_managed_rules(), 96)) == 0);
    REQUIRE(h.generate(id, Curve::P256, usage) == 0);
    CHECK(h.status(Command::SignVerify, sign(id, digest)) == (signs ? 0 : st(Status::BadKeyType)));
    ++id;
  }
  // The second usage counts too.
  wire::KeyDescriptor d;
  d.curve = 0;
  d.component_length = 32;
  d.usage1 = static_cast<uint8_t>(wire::KeyUsage::KeyExchange);
  d.usage2 = static_cast<uint8_t>(wire::KeyUsage::TlsAuthentication);
  d.algorithm2 = static_cast<uint8_t>(Algorithm::EcdsaDigest);
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(id, ObjectType::KeyPair, ObjectProperty::Persistent,
                                   admin_managed_rules(), 96)) == 0);
  REQUIRE(h.import(id, wire::encode_key_descriptor(d, {})) == 0);
  CHECK(h.status(Command::SignVerify, sign(id, digest)) == 0);
}

TEST_CASE("ECDH on the chip (the model's key exchange pass) matches libcrypto",
          "[commands][keys]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521, Curve::Brainpool384);
  AdminHost a;
  Host& h = a.host;
  Bytes chip_xy = h.make_key_pair(0x0101, curve);
  ossl::PkeyPtr peer = a.ref.generate(curve);
  Bytes secret =
      h.ok(Command::KeyExchange, payload::key_exchange(0x0101, RefCrypto::public_xy(peer.get())));
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
  Bytes good = RefCrypto::public_xy(a.ref.generate(Curve::P256).get());
  Bytes off = good;
  off.back() ^= 0x01;
  CHECK(kex(off) == st(Status::BadParameter));
  CHECK(kex(Bytes(64, 0x00)) == st(Status::BadParameter));  // the "point" (0, 0)
  CHECK(kex(Bytes(64, 0xFF)) == st(Status::BadParameter));  // coordinates beyond p
  // A brainpoolP256r1 point has the right size but lies on another curve.
  CHECK(kex(RefCrypto::public_xy(a.ref.generate(Curve::Brainpool256).get())) ==
        st(Status::BadParameter));
  CHECK(kex(RefCrypto::public_xy(a.ref.generate(Curve::P384).get())) == st(Status::WrongLength));
  CHECK(kex(Bytes(10, 1)) == st(Status::WrongLength));
  // Only the uncompressed form.
  wire::SimulatorEcdhRequest compressed{0x0101, Bytes(1 + good.size(), 0x02)};
  std::copy(good.begin(), good.end(), compressed.peer_point.begin() + 1);
  CHECK(h.status(Command::KeyExchange, wire::encode_simulator_ecdh(compressed)) ==
        st(Status::BadParameter));
  Bytes truncated = payload::key_exchange(0x0101, good);
  truncated.pop_back();
  CHECK(h.status(Command::KeyExchange, truncated) == st(Status::WrongLength));
  CHECK(kex(good) == 0);
}

TEST_CASE("key exchange: the public TLS passes are not modelled; error paths", "[commands][keys]") {
  AdminHost a;
  Host& h = a.host;
  Bytes peer = RefCrypto::public_xy(a.ref.generate(Curve::P256).get());
  auto kex = [&](Host& host, uint16_t id) {
    return host.status(Command::KeyExchange, payload::key_exchange(id, peer));
  };
  for (uint8_t pass : {0x00, 0x01, 0x02, 0x03, 0x05, 0x06, 0x81})
    CHECK(h.status(Command::KeyExchange, Bytes{pass, 0x00, 0x00}) == st(Status::NotImplemented));
  CHECK(h.status(Command::KeyExchange, Bytes{}) == st(Status::WrongLength));
  CHECK(kex(h, 0x0101) == st(Status::NotFound));
  CHECK(kex(h, wire::kAdminKeyId) == st(Status::BadParameter));  // a public key
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0101, ObjectType::KeyPair, ObjectProperty::Persistent,
                                   rules({{wire::Operation::Generate, wire::kRoleAdmin},
                                          {wire::Operation::Execute, wire::kRoleAdmin}}),
                                   96)) == 0);
  CHECK(kex(h, 0x0101) == st(Status::ObjectEmpty));
  REQUIRE(h.generate(0x0101, Curve::P256) == 0);
  CHECK(kex(h, 0x0101) == 0);
  Host plain(a.t.open());
  CHECK(kex(plain, 0x0101) == st(Status::AccessDenied));
}
