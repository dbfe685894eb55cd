#include "wire/ec_codec.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <string>

#include "wire/software_libctx.h"

using namespace maxq;
using namespace maxq::wire;

namespace {

Bytes hex(const std::string& s) {
  Bytes out;
  std::string digits;
  for (char c : s)
    if (c != ' ') digits.push_back(c);
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  return out;
}

Bytes repeat(uint8_t b, size_t n) {
  return Bytes(n, b);
}

Bytes cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const CurveInfo& p256() {
  static const CurveInfo c = *curve_info(Curve::P256);
  return c;
}

struct Software {
  ossl::SharedLibCtx ctx = ossl::software_libctx();
  ossl::PkeyPtr generate(const CurveInfo& curve) {
    return ossl::PkeyPtr(
        EVP_PKEY_Q_keygen(ctx.get(), nullptr, "EC", std::string(curve.sn).c_str()));
  }
  Bytes sign(EVP_PKEY* key, ByteView digest) {
    ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx.get(), key, nullptr));
    size_t len = 0;
    REQUIRE(EVP_PKEY_sign_init(pctx.get()) == 1);
    REQUIRE(EVP_PKEY_sign(pctx.get(), nullptr, &len, digest.data(), digest.size()) == 1);
    Bytes der(len);
    REQUIRE(EVP_PKEY_sign(pctx.get(), der.data(), &len, digest.data(), digest.size()) == 1);
    der.resize(len);
    return der;
  }
  bool verify(EVP_PKEY* key, ByteView der, ByteView digest) {
    ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx.get(), key, nullptr));
    return EVP_PKEY_verify_init(pctx.get()) == 1 &&
           EVP_PKEY_verify(pctx.get(), der.data(), der.size(), digest.data(), digest.size()) == 1;
  }
};

}  // namespace

TEST_CASE("raw r || s and DER round trip on every curve", "[ec_codec]") {
  Software sw;
  const Bytes digest = repeat(0x5A, 32);
  for (uint8_t id = 0; id <= static_cast<uint8_t>(Curve::Brainpool512); ++id) {
    const CurveInfo curve = *curve_info(id);
    INFO(curve.sn);
    ossl::PkeyPtr key = sw.generate(curve);
    REQUIRE(key);
    for (int i = 0; i < 8; ++i) {
      Bytes der = sw.sign(key.get(), digest);
      auto raw = ecdsa_raw_from_der(der, curve.field_bytes);
      REQUIRE(raw);
      CHECK(raw->size() == 2 * curve.field_bytes);
      auto again = ecdsa_der_from_raw(*raw, curve.field_bytes);
      REQUIRE(again);
      CHECK(*again == der);
      CHECK(again->size() <= ecdsa_der_max_size(curve));
    }
  }
}

TEST_CASE("leading zeros of r and s are padding, a high bit gets a sign byte", "[ec_codec]") {
  Bytes r = cat(repeat(0x00, 31), {0x01});  // r = 1
  Bytes s = cat({0x80}, repeat(0x00, 31));  // s = 2^255: a sign byte in DER
  auto der = ecdsa_der_from_raw(cat(r, s), 32);
  REQUIRE(der);
  CHECK(*der == cat(hex("30 26 02 01 01 02 21 00 80"), repeat(0x00, 31)));
  auto raw = ecdsa_raw_from_der(*der, 32);
  REQUIRE(raw);
  CHECK(*raw == cat(r, s));
  // The same integers fit a larger field: padded to it.
  auto wide = ecdsa_raw_from_der(*der, 48);
  REQUIRE(wide);
  CHECK(*wide == cat(cat(repeat(0x00, 47), {0x01}), cat(repeat(0x00, 16), s)));
}

TEST_CASE("raw signatures of the wrong size or with r or s zero are refused", "[ec_codec]") {
  const Bytes one = cat(repeat(0x00, 31), {0x01});
  CHECK(ecdsa_der_from_raw(cat(one, one), 32));
  CHECK_FALSE(ecdsa_der_from_raw({}, 32));
  CHECK_FALSE(ecdsa_der_from_raw(Bytes(63, 0x01), 32));
  CHECK_FALSE(ecdsa_der_from_raw(Bytes(65, 0x01), 32));
  CHECK_FALSE(ecdsa_der_from_raw(Bytes(96, 0x01), 32));  // a P-384 size for P-256
  CHECK_FALSE(ecdsa_der_from_raw(Bytes(64, 0x01), 0));
  CHECK_FALSE(ecdsa_der_from_raw(Bytes(2 * 67, 0x01), 67));         // no curve has 67-byte fields
  CHECK_FALSE(ecdsa_der_from_raw(cat(repeat(0x00, 32), one), 32));  // r = 0
  CHECK_FALSE(ecdsa_der_from_raw(cat(one, repeat(0x00, 32)), 32));  // s = 0
}

TEST_CASE("DER signatures are read strictly", "[ec_codec]") {
  const Bytes good = hex("30 06 02 01 01 02 01 02");
  auto raw = ecdsa_raw_from_der(good, 32);
  REQUIRE(raw);
  CHECK(*raw == cat(cat(repeat(0x00, 31), {0x01}), cat(repeat(0x00, 31), {0x02})));
  CHECK_FALSE(ecdsa_raw_from_der({}, 32));
  CHECK_FALSE(ecdsa_raw_from_der(good, 0));
  CHECK_FALSE(ecdsa_raw_from_der(cat(good, {0x00}), 32));                    // bytes after it
  CHECK_FALSE(ecdsa_raw_from_der(Bytes(good.begin(), good.end() - 1), 32));  // truncated
  CHECK_FALSE(ecdsa_raw_from_der(hex("30 06 02 01 00 02 01 02"), 32));       // r = 0
  CHECK_FALSE(ecdsa_raw_from_der(hex("30 06 02 01 01 02 01 00"), 32));       // s = 0
  CHECK_FALSE(ecdsa_raw_from_der(hex("30 06 02 01 FF 02 01 02"), 32));       // r negative
  CHECK_FALSE(ecdsa_raw_from_der(hex("30 07 02 02 00 01 02 01 02"), 32));    // needless zero
  CHECK_FALSE(ecdsa_raw_from_der(hex("30 81 06 02 01 01 02 01 02"), 32));    // long-form length
  CHECK_FALSE(ecdsa_raw_from_der(hex("31 06 02 01 01 02 01 02"), 32));       // a SET
  CHECK_FALSE(ecdsa_raw_from_der(hex("30 03 02 01 01"), 32));                // no s
  // r one byte longer than the field (33 bytes of value, not a sign byte).
  Bytes long_r = cat(cat(hex("30 26 02 21 01"), repeat(0x00, 32)), hex("02 01 02"));
  REQUIRE(long_r.size() == 0x28);
  CHECK_FALSE(ecdsa_raw_from_der(long_r, 32));
  CHECK(ecdsa_raw_from_der(long_r, 48));
  // Larger than any signature can be.
  CHECK_FALSE(ecdsa_raw_from_der(repeat(0x30, 4096), 66));
}

TEST_CASE("public points become keys and keys give their points back", "[ec_codec]") {
  Software sw;
  for (uint8_t id = 0; id <= static_cast<uint8_t>(Curve::Brainpool512); ++id) {
    const CurveInfo curve = *curve_info(id);
    INFO(curve.sn);
    ossl::PkeyPtr key = sw.generate(curve);
    REQUIRE(key);
    Bytes point = ec_public_point(key.get(), curve);
    REQUIRE(point.size() == 1 + 2 * curve.field_bytes);
    CHECK(point[0] == 0x04);
    Bytes xy = ec_public_xy(key.get(), curve);
    CHECK(xy == Bytes(point.begin() + 1, point.end()));
    CHECK(uncompressed_point(curve, xy) == point);
    CHECK(uncompressed_point(curve, point) == point);
    for (const Bytes& given : {xy, point}) {
      ossl::PkeyPtr pub = ec_public_key(sw.ctx.get(), curve, given);
      REQUIRE(pub);
      CHECK(EVP_PKEY_eq(pub.get(), key.get()) == 1);
      CHECK(ec_public_point(pub.get(), curve) == point);
    }
  }
}

TEST_CASE("points of the wrong size or off the curve are refused", "[ec_codec]") {
  Software sw;
  ossl::PkeyPtr key = sw.generate(p256());
  Bytes xy = ec_public_xy(key.get(), p256());
  REQUIRE(xy.size() == 64);
  auto refused = [&](const Bytes& point) { return !ec_public_key(sw.ctx.get(), p256(), point); };
  CHECK(refused({}));
  CHECK(refused(Bytes(xy.begin(), xy.end() - 1)));
  CHECK(refused(cat(xy, {0x00})));
  CHECK(refused(cat({0x03}, xy)));                                  // 65 bytes, not uncompressed
  CHECK(refused(cat({0x02}, Bytes(xy.begin(), xy.begin() + 32))));  // compressed: not a chip form
  CHECK(refused(Bytes(64, 0x00)));  // not a point (infinity has no X || Y)
  Bytes off = xy;
  off.back() ^= 0x01;
  CHECK(refused(off));
  // A P-384 key's point is no P-256 point, and a P-256 key has no P-384 point.
  ossl::PkeyPtr p384 = sw.generate(*curve_info(Curve::P384));
  CHECK(refused(ec_public_xy(p384.get(), *curve_info(Curve::P384))));
  CHECK(ec_public_point(key.get(), *curve_info(Curve::P384)).empty());
  CHECK(ec_public_point(nullptr, p256()).empty());
  CHECK(uncompressed_point(p256(), Bytes(63, 0x01)).empty());
}

TEST_CASE("key pairs from a scalar and a point sign as the original key", "[ec_codec]") {
  Software sw;
  for (Curve c : {Curve::P256, Curve::P521}) {
    const CurveInfo curve = *curve_info(c);
    ossl::PkeyPtr key = sw.generate(curve);
    BIGNUM* d = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1);
    ossl::BnPtr priv(d);
    SecretBytes scalar(curve.field_bytes);
    REQUIRE(BN_bn2binpad(priv.get(), scalar.data(), static_cast<int>(scalar.size())) ==
            static_cast<int>(scalar.size()));
    Bytes xy = ec_public_xy(key.get(), curve);
    ossl::PkeyPtr pair =
        ec_key_pair(sw.ctx.get(), curve, xy, ByteView(scalar.data(), scalar.size()));
    REQUIRE(pair);
    const Bytes digest = repeat(0x11, 32);
    CHECK(sw.verify(key.get(), sw.sign(pair.get(), digest), digest));
    // Lengths are checked before libcrypto sees anything.
    CHECK_FALSE(ec_key_pair(sw.ctx.get(), curve, xy, ByteView(scalar.data(), scalar.size() - 1)));
    CHECK_FALSE(ec_key_pair(sw.ctx.get(), curve, Bytes(xy.begin() + 1, xy.end()),
                            ByteView(scalar.data(), scalar.size())));
  }
}

TEST_CASE("the largest DER signature of each curve", "[ec_codec]") {
  CHECK(ecdsa_der_max_size(*curve_info(Curve::P256)) == 72);
  CHECK(ecdsa_der_max_size(*curve_info(Curve::P384)) == 104);
  CHECK(ecdsa_der_max_size(*curve_info(Curve::P521)) == 141);
}

TEST_CASE("raw signatures verify; what a context cannot take is told apart", "[ec_codec]") {
  Software sw;
  const CurveInfo& curve = p256();
  ossl::PkeyPtr key = sw.generate(curve);
  const Bytes xy = ec_public_xy(key.get(), curve);
  const Bytes digest = repeat(0x42, 32);
  const Bytes raw = *ecdsa_raw_from_der(sw.sign(key.get(), digest), curve.field_bytes);
  CHECK(ecdsa_verify_raw(sw.ctx.get(), nullptr, curve, xy, digest, raw) == true);
  CHECK(ecdsa_verify_raw(sw.ctx.get(), "provider=default", curve, xy, digest, raw) == true);
  // Malformed or wrong: false.
  Bytes other = digest;
  other[0] ^= 0x01;
  CHECK(ecdsa_verify_raw(sw.ctx.get(), nullptr, curve, xy, other, raw) == false);
  CHECK(ecdsa_verify_raw(sw.ctx.get(), nullptr, curve, xy, Bytes{}, raw) == false);
  CHECK(ecdsa_verify_raw(sw.ctx.get(), nullptr, curve, xy, digest, ByteView(raw).subview(1)) ==
        false);
  CHECK(ecdsa_verify_raw(sw.ctx.get(), nullptr, curve, ByteView(xy).subview(1), digest, raw) ==
        false);
  // Not taken by the context: nullopt, for a point off the curve and for a
  // context without EC (properties no provider there has).
  Bytes off_curve = xy;
  off_curve.back() ^= 0x01;
  CHECK(ecdsa_verify_raw(sw.ctx.get(), nullptr, curve, off_curve, digest, raw) == std::nullopt);
  CHECK(ecdsa_verify_raw(sw.ctx.get(), "provider=nosuch", curve, xy, digest, raw) == std::nullopt);
  CHECK(curve_of_point(sw.ctx.get(), nullptr, xy) == Curve::P256);
  CHECK(curve_of_point(sw.ctx.get(), nullptr, off_curve) == std::nullopt);
  CHECK(curve_of_point(sw.ctx.get(), "provider=nosuch", xy) == std::nullopt);
  ERR_clear_error();
}
