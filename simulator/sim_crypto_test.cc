// The chip's crypto engine against the test's own libcrypto context.
#include "simulator/sim_crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <catch2/catch.hpp>
#include <string>

#include "simulator/sim_test_support.h"

using namespace maxq;
using namespace maxq::sim;
using maxq::sim::testing::RefCrypto;
using wire::Curve;

namespace {

wire::CurveInfo info(Curve c) {
  return *wire::curve_info(static_cast<uint8_t>(c));
}

}  // namespace

TEST_CASE("point validation really refuses points off the curve", "[sim_crypto]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521, Curve::Brainpool256,
                         Curve::Brainpool384, Curve::Brainpool512);
  SimCrypto crypto;
  Bytes xy = crypto.generate(info(curve)).public_xy;
  CHECK(crypto.public_key(info(curve), xy));
  Bytes off = xy;
  off.back() ^= 0x01;  // y changed: (x, y') is not on the curve
  CHECK_FALSE(crypto.public_key(info(curve), off));
  CHECK_FALSE(crypto.public_key(info(curve), Bytes(xy.size(), 0x00)));
  CHECK_FALSE(crypto.public_key(info(curve), Bytes(xy.size(), 0xFF)));
  CHECK_FALSE(crypto.public_key(info(curve), Bytes(xy.begin(), xy.end() - 1)));
}

TEST_CASE("generated keys sign, verify and agree like libcrypto", "[sim_crypto]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521, Curve::Brainpool512);
  const wire::CurveInfo c = info(curve);
  SimCrypto crypto;
  RefCrypto ref;
  KeyPairMaterial k = crypto.generate(c);
  CHECK(k.private_scalar.size() == c.field_bytes);
  CHECK(k.public_xy.size() == 2 * c.field_bytes);
  ossl::PkeyPtr key = crypto.key_pair(c, k.private_scalar.view(), k.public_xy);
  REQUIRE(key);
  for (int i = 0; i < 8; ++i) {  // fixed-size r || s, even when r or s has leading zeros
    Bytes digest = ref.digest("SHA512", Bytes{static_cast<uint8_t>(i)});
    Bytes sig = crypto.sign_digest(key.get(), c.field_bytes, digest);
    CHECK(sig.size() == 2 * c.field_bytes);
    CHECK(ref.verify(curve, k.public_xy, digest, sig));
    CHECK(crypto.verify_digest(key.get(), c.field_bytes, digest, sig));
    sig[0] ^= 0x40;
    CHECK_FALSE(crypto.verify_digest(key.get(), c.field_bytes, digest, sig));
  }
  ossl::PkeyPtr peer = ref.generate(curve);
  ossl::PkeyPtr peer_pub = crypto.public_key(c, RefCrypto::public_xy(peer.get()));
  REQUIRE(peer_pub);
  SecretBytes secret = crypto.ecdh(key.get(), peer_pub.get(), c.field_bytes);
  ossl::PkeyPtr ours = ref.public_key(curve, k.public_xy);
  CHECK(secret.view().to_bytes() == ref.ecdh(peer.get(), ours.get()));
}

TEST_CASE("a stored key pair that does not match is refused", "[sim_crypto]") {
  SimCrypto crypto;
  const wire::CurveInfo c = info(Curve::P256);
  KeyPairMaterial k = crypto.generate(c);
  Bytes off = k.public_xy;
  off.back() ^= 1;
  CHECK_THROWS_AS(crypto.key_pair(c, k.private_scalar.view(), off), CryptoError);
  CHECK_THROWS_AS(crypto.key_pair(c, ByteView(Bytes(31, 1)), k.public_xy), CryptoError);
}

TEST_CASE("an imported key pair must be one", "[sim_crypto]") {
  SimCrypto crypto;
  const wire::CurveInfo curve = *wire::curve_info(wire::Curve::P384);
  KeyPairMaterial k = crypto.generate(curve);
  CHECK(crypto.checked_key_pair(curve, k.private_scalar.view(), k.public_xy));
  KeyPairMaterial other = crypto.generate(curve);
  CHECK_FALSE(crypto.checked_key_pair(curve, other.private_scalar.view(), k.public_xy));
  CHECK_FALSE(crypto.checked_key_pair(curve, Bytes(48, 0), k.public_xy));     // d = 0
  CHECK_FALSE(crypto.checked_key_pair(curve, Bytes(48, 0xFF), k.public_xy));  // d >= n
  CHECK_FALSE(crypto.checked_key_pair(curve, Bytes(32, 1), k.public_xy));     // wrong size
}

TEST_CASE("digests and random bytes", "[sim_crypto]") {
  SimCrypto crypto;
  // SHA-256("abc"), FIPS 180-2 example.
  CHECK(to_hex(crypto.digest(wire::Algorithm::Sha256, ByteView(std::string_view("abc")))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(crypto.digest(wire::Algorithm::Sha384, {}).size() == 48);
  CHECK(crypto.digest(wire::Algorithm::Sha512, {}).size() == 64);
  CHECK_THROWS_AS(crypto.digest(wire::Algorithm::EcdsaDigest, {}), CryptoError);
  Bytes a(64), b(64);
  crypto.random(a.data(), a.size());
  crypto.random(b.data(), b.size());
  CHECK(a != b);
  // A Hash_DRBG: the default CTR-DRBG would build every cipher of the default
  // provider in the chip's context at its first random number (issue 16).
  EVP_RAND_CTX* primary = RAND_get0_primary(crypto.libctx());
  REQUIRE(primary != nullptr);
  CHECK(std::string(EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(primary))) == "HASH-DRBG");
}
