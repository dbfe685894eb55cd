// Import key 0xCA: generation on the chip, public keys and key pairs, each
// as a key descriptor signed by the key-import key (0x1000).
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"
#include "wire/key_layout.h"
#include "wire/object_layout.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Curve;
using wire::ObjectProperty;
using wire::ObjectType;
using wire::Status;

namespace {

struct AdminHost {
  ProvisionedChip t;
  Host host{t.open()};
  RefCrypto ref;
  AdminHost() { REQUIRE(host.authenticate(t.admin_key) == 0); }
  void create(uint16_t id, ObjectType type, uint16_t capacity,
              const Bytes& r = admin_managed_rules()) {
    REQUIRE(host.status(Command::CreateObject,
                        payload::create(id, type, ObjectProperty::Persistent, r, capacity)) == 0);
  }
};

Bytes sign_digest(uint16_t id, const Bytes& digest) {
  return payload::sign_verify(wire::kModeSign, wire::Algorithm::EcdsaDigest, id, digest);
}

}  // namespace

TEST_CASE("a signed descriptor with no material generates a key pair on the chip",
          "[commands][import]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521, Curve::Brainpool256,
                         Curve::Brainpool384, Curve::Brainpool512);
  AdminHost a;
  Host& h = a.host;
  a.create(0x0101, ObjectType::KeyPair, capacity(ObjectType::KeyPair, curve));
  // The request is the published layout; the answer carries no data.
  Bytes body = payload::descriptor(curve);
  REQUIRE(body.size() == wire::kKeyDescriptorBytes);
  wire::ResponseFrame r =
      h.send(Command::ImportKey,
             payload::signed_import(0x0101, body, a.ref.sign_sha256(h.key_import_pem(), body)));
  CHECK(r.status == 0);
  CHECK(r.payload.empty());
  Bytes xy = h.ok(Command::ReadObject, payload::read(0x0101, 0, 0));
  REQUIRE(xy.size() == 2 * field_bytes(curve));
  Bytes digest =
      wire::ecdsa_field_digest(*wire::curve_info(curve), a.ref.digest("SHA256", Bytes{1, 2, 3}));
  Bytes sig = h.ok(Command::SignVerify, sign_digest(0x0101, digest));
  CHECK(a.ref.verify(curve, xy, a.ref.digest("SHA256", Bytes{1, 2, 3}), sig));
  // Generating again replaces the key.
  REQUIRE(h.generate(0x0101, curve) == 0);
  CHECK(h.ok(Command::ReadObject, payload::read(0x0101, 0, 0)) != xy);
}

TEST_CASE("the published generate request is accepted byte for byte", "[commands][import]") {
  // §7: generate a P-256 key pair in 0x0101 signed with the SDK demo key; the
  // chip here has that key as its key-import key.
  const Bytes demo_xy = {0xd0, 0x97, 0x31, 0xc7, 0x63, 0xc0, 0x9e, 0xe3, 0x9a, 0xb4, 0xd0,
                         0xce, 0xa7, 0x89, 0xab, 0x52, 0xc8, 0x80, 0x3a, 0x91, 0x77, 0x29,
                         0xc3, 0xa0, 0x79, 0x2e, 0xe6, 0x61, 0x8b, 0x2d, 0x53, 0x70, 0xcc,
                         0xa4, 0x62, 0xd5, 0x4a, 0x47, 0x74, 0xea, 0x22, 0xfa, 0xa9, 0xd4,
                         0x95, 0x4e, 0xca, 0x32, 0x70, 0x88, 0xd6, 0xeb, 0x58, 0x24, 0xa3,
                         0xc5, 0xbf, 0x29, 0xdc, 0xfd, 0xe5, 0xde, 0x8f, 0x48};
  const Bytes frame = {0xAA, 0x00, 0xCA, 0x00, 0x54, 0x01, 0x0A, 0x10, 0x00, 0x01, 0x01, 0x00,
                       0x0A, 0x03, 0x00, 0x20, 0x00, 0x00, 0x00, 0x01, 0x0A, 0xFF, 0x00, 0x00,
                       0x40, 0xCB, 0xF8, 0x9D, 0x48, 0x58, 0xE3, 0x6F, 0x77, 0x4A, 0x74, 0x62,
                       0x1C, 0xC2, 0xB7, 0xC2, 0x66, 0xEA, 0x7D, 0x6D, 0x19, 0x56, 0x9F, 0x2A,
                       0xFC, 0x52, 0x3C, 0x01, 0xAE, 0x7F, 0x75, 0x5B, 0x7A, 0x81, 0xD1, 0x06,
                       0xB7, 0xAC, 0xF6, 0x15, 0x8E, 0x91, 0x4D, 0xF1, 0xAD, 0x69, 0xEA, 0x85,
                       0xCF, 0x2D, 0x39, 0x34, 0x07, 0x7A, 0xAB, 0x2C, 0x78, 0xE6, 0x83, 0x54,
                       0xC5, 0x66, 0x10, 0x6F, 0x78, 0xAE, 0x8C};
  ProvisionedChip t;
  edit_state(t.state, [&](sim::PersistentState& s) {
    s.objects.at(wire::kKeyImportKeyId).set_key(Curve::P256, demo_xy, SecretBytes());
  });
  Host h(t.open());
  REQUIRE(h.authenticate(t.admin_key) == 0);
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0101, ObjectType::KeyPair, ObjectProperty::Persistent,
                                   admin_managed_rules(), 96)) == 0);
  wire::CommandFrame decoded;
  REQUIRE(wire::decode_command(frame, decoded) == wire::FrameError::None);
  wire::ResponseFrame r = h.send(Command::ImportKey, decoded.payload);
  CHECK(r.status == 0);
  CHECK(r.payload.empty());
  CHECK(h.ok(Command::ReadObject, payload::read(0x0101, 0, 0)).size() == 64);
  wire::ObjectRecord rec =
      wire::decode_object_record(h.ok(Command::ListObjects, wire::encode_list_details(0x0101)));
  REQUIRE(rec.key);
  CHECK(rec.key->usage1 == 0x01);
  CHECK(rec.key->algorithm1 == 0x0A);
  CHECK(rec.key->usage2 == 0xFF);
}

TEST_CASE("public keys and key pairs are imported with their material", "[commands][import]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521);
  AdminHost a;
  Host& h = a.host;
  const size_t n = field_bytes(curve);
  ossl::PkeyPtr key = a.ref.generate(curve);
  Bytes xy = RefCrypto::public_xy(key.get());
  Bytes d = RefCrypto::private_scalar(key.get(), n);

  a.create(0x0200, ObjectType::PublicKey, capacity(ObjectType::PublicKey, curve));
  CHECK(h.import(0x0200, payload::descriptor(curve, xy)) == 0);
  CHECK(h.ok(Command::ReadObject, payload::read(0x0200, 0, 0)) == xy);

  a.create(0x0101, ObjectType::KeyPair, capacity(ObjectType::KeyPair, curve));
  Bytes pair = xy;
  pair.insert(pair.end(), d.begin(), d.end());
  CHECK(h.import(0x0101, payload::descriptor(curve, pair)) == 0);
  CHECK(h.ok(Command::ReadObject, payload::read(0x0101, 0, 0)) == xy);  // never the scalar
  // The imported pair signs; its public twin verifies.
  Bytes digest(n, 0x42);
  digest[0] = 0x01;  // below 2^521 for P-521
  Bytes sig = h.ok(Command::SignVerify, sign_digest(0x0101, digest));
  CHECK(h.status(Command::SignVerify,
                 payload::sign_verify(wire::kModeVerify, wire::Algorithm::EcdsaDigest, 0x0200,
                                      digest, sig)) == 0);
  // A pair whose scalar is not the point's, and points off the curve, are refused.
  Bytes wrong_pair = pair;
  wrong_pair.back() ^= 0x01;
  CHECK(h.import(0x0101, payload::descriptor(curve, wrong_pair)) == st(Status::BadParameter));
  Bytes off_curve = xy;
  off_curve.back() ^= 0x01;
  CHECK(h.import(0x0200, payload::descriptor(curve, off_curve)) == st(Status::BadParameter));
  Bytes zero_scalar = xy;
  zero_scalar.resize(3 * n, 0);
  CHECK(h.import(0x0101, payload::descriptor(curve, zero_scalar)) == st(Status::BadParameter));
  // The refused imports left the keys as they were.
  CHECK(h.ok(Command::ReadObject, payload::read(0x0200, 0, 0)) == xy);
  CHECK(h.ok(Command::SignVerify, sign_digest(0x0101, digest)).size() == 2 * n);
}

TEST_CASE("import key refuses what the key-import key did not sign", "[commands][import]") {
  AdminHost a;
  Host& h = a.host;
  a.create(0x0101, ObjectType::KeyPair, 96);
  Bytes body = payload::descriptor(Curve::P256);
  Bytes good_sig = a.ref.sign_sha256(h.key_import_pem(), body);
  auto import = [&](const Bytes& p) { return h.status(Command::ImportKey, p); };

  // Signed by the admin key, by another chip's key-import key, over other bytes.
  CHECK(import(payload::signed_import(0x0101, body, a.ref.sign_sha256(h.admin_pem(), body))) ==
        st(Status::BadSignature));
  ProvisionedChip other;
  CHECK(import(payload::signed_import(
            0x0101, body, a.ref.sign_sha256(other.provisioned.key_import_key_path, body))) ==
        st(Status::BadSignature));
  Bytes changed = body;
  changed[6] = static_cast<uint8_t>(wire::KeyUsage::TlsAuthentication);
  CHECK(import(payload::signed_import(0x0101, changed, good_sig)) == st(Status::BadSignature));
  CHECK(import(payload::signed_import(0x0101, body, Bytes(64, 0))) == st(Status::BadSignature));
  CHECK(import(payload::signed_import(0x0101, body, Bytes(63, 1))) == st(Status::WrongLength));
  // The outer fields.
  wire::SignedImport s;
  s.object_id = 0x0101;
  s.body = body;
  s.signature = good_sig;
  auto with = [&](auto edit) {
    wire::SignedImport c = s;
    edit(c);
    return import(wire::encode_signed_import(c));
  };
  CHECK(with([](wire::SignedImport& c) { c.pass = 4; }) == st(Status::NotImplemented));
  CHECK(with([](wire::SignedImport& c) { c.pass = 2; }) == st(Status::BadParameter));
  CHECK(with([](wire::SignedImport& c) { c.algorithm = 0x0B; }) ==
        st(Status::AlgorithmNotSupported));
  CHECK(with([](wire::SignedImport& c) { c.verify_key_id = wire::kAdminKeyId; }) ==
        st(Status::WrongParams));
  Bytes truncated = wire::encode_signed_import(s);
  truncated.pop_back();
  CHECK(import(truncated) == st(Status::WrongLength));
  CHECK(import(Bytes{0x01, 0x0A}) == st(Status::WrongLength));
  // Nothing was generated by any of them.
  CHECK(h.status(Command::ReadObject, payload::read(0x0101, 0, 0)) == st(Status::ObjectEmpty));
  CHECK(import(wire::encode_signed_import(s)) == 0);
}

TEST_CASE("import key checks the descriptor against the object", "[commands][import]") {
  AdminHost a;
  Host& h = a.host;
  a.create(0x0101, ObjectType::KeyPair, 96);
  a.create(0x0102, ObjectType::KeyPair, 144);
  a.create(0x0200, ObjectType::PublicKey, 64);
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0300, ObjectType::Data, ObjectProperty::Persistent,
                                   admin_managed_rules(), 96)) == 0);
  Bytes xy = RefCrypto::public_xy(a.ref.generate(Curve::P256).get());
  auto descriptor_with = [](auto edit) {
    wire::KeyDescriptor d;
    d.curve = 0;
    d.component_length = 32;
    edit(d);
    return wire::encode_key_descriptor(d, {});
  };
  CHECK(h.import(0x0101, descriptor_with([](wire::KeyDescriptor& d) { d.key_type = 0; })) ==
        st(Status::BadKeyType));
  CHECK(h.import(0x0101, descriptor_with([](wire::KeyDescriptor& d) { d.curve = 6; })) ==
        st(Status::CurveNotSupported));
  CHECK(h.import(0x0101, descriptor_with([](wire::KeyDescriptor& d) { d.curve = 0xFF; })) ==
        st(Status::CurveNotSupported));
  CHECK(h.import(0x0101, descriptor_with([](wire::KeyDescriptor& d) {
                   d.component_length = 48;
                 })) == st(Status::WrongLength));
  Bytes lying = payload::descriptor(Curve::P256);
  lying[4] = 64;  // total length 64 with no material
  CHECK(h.import(0x0101, lying) == st(Status::WrongLength));
  CHECK(h.import(0x0101, payload::descriptor(Curve::P256, Bytes(10, 1))) ==
        st(Status::WrongLength));
  CHECK(h.import(0x0999, payload::descriptor(Curve::P256)) == st(Status::NotFound));
  CHECK(h.import(0x0200, payload::descriptor(Curve::P256)) == st(Status::BadParameter));
  CHECK(h.import(0x0101, payload::descriptor(Curve::P256, xy)) == st(Status::BadParameter));
  CHECK(h.import(0x0300, payload::descriptor(Curve::P256)) == st(Status::BadParameter));
  // The object's capacity fixes the curve's size (MODELLED: WrongSize).
  CHECK(h.import(0x0102, payload::descriptor(Curve::P256)) == st(Status::WrongSize));
  CHECK(h.import(0x0101, payload::descriptor(Curve::P384)) == st(Status::WrongSize));
  // A 96-byte key pair object holds brainpoolP256r1 as well as P-256.
  CHECK(h.import(0x0101, payload::descriptor(Curve::Brainpool256)) == 0);

  // Generation needs the generate rule, material the write rule.
  Host plain(a.t.open());
  CHECK(plain.generate(0x0101, Curve::P256) == st(Status::AccessDenied));
  CHECK(plain.import(0x0200, payload::descriptor(Curve::P256, xy)) == st(Status::AccessDenied));
  a.create(0x0103, ObjectType::KeyPair, 96,
           rules({{wire::Operation::Generate, wire::kRoleAlways},
                  {wire::Operation::Execute, wire::kRoleAlways}}));
  CHECK(plain.generate(0x0103, Curve::P256) == 0);
  ossl::PkeyPtr k = a.ref.generate(Curve::P256);
  Bytes pair = RefCrypto::public_xy(k.get());
  Bytes d = RefCrypto::private_scalar(k.get(), 32);
  pair.insert(pair.end(), d.begin(), d.end());
  CHECK(plain.import(0x0103, payload::descriptor(Curve::P256, pair)) == st(Status::AccessDenied));
  // Only the admin may replace the pre-loaded keys (their write rule).
  CHECK(plain.import(wire::kAdminKeyId, payload::descriptor(Curve::P256, xy)) ==
        st(Status::AccessDenied));
}

TEST_CASE("temporary key pairs work without the admin and never touch the state file",
          "[commands][import]") {
  ProvisionedChip t;
  Host h(t.open());
  RefCrypto ref;
  Bytes before = read_file(t.state);
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x8001, ObjectType::KeyPair, ObjectProperty::Temporary,
                                   open_rules(), 144)) == 0);
  REQUIRE(h.generate(0x8001, Curve::P384) == 0);
  Bytes xy = h.ok(Command::ReadObject, payload::read(0x8001, 0, 0));
  Bytes digest(48, 3);
  CHECK(
      ref.verify(Curve::P384, xy, digest, h.ok(Command::SignVerify, sign_digest(0x8001, digest))));
  ossl::PkeyPtr peer = ref.generate(Curve::P384);
  CHECK(h.ok(Command::KeyExchange, payload::key_exchange(0x8001, RefCrypto::public_xy(peer.get())))
            .size() == 48);
  CHECK(h.status(Command::DeleteObject, wire::encode_object_id(0x8001)) == 0);
  CHECK(read_file(t.state) == before);
}
