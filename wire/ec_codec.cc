#include "wire/ec_codec.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <new>
#include <string>

namespace maxq::wire {
namespace {

ossl::BnPtr unsigned_integer(ByteView bytes) {
  ossl::BnPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn) throw std::bad_alloc();
  return bn;
}

// SEQUENCE { INTEGER r, INTEGER s } with integers of up to `bytes` bytes and
// a sign byte each.
size_t der_max_size(size_t bytes) {
  size_t body = 2 * (2 + bytes + 1);
  return body + (body < 128 ? 2 : 3);
}

// r and s as fixed-size big-endian fields; false when one does not fit.
bool put_field(const BIGNUM* v, size_t field_bytes, uint8_t* out) {
  return !BN_is_negative(v) && !BN_is_zero(v) &&
         static_cast<size_t>(BN_num_bytes(v)) <= field_bytes &&
         BN_bn2binpad(v, out, static_cast<int>(field_bytes)) == static_cast<int>(field_bytes);
}

// `selection` EVP_PKEY_PUBLIC_KEY or EVP_PKEY_KEYPAIR (with `scalar`).
ossl::PkeyPtr from_data(OSSL_LIB_CTX* ctx, const char* propq, const CurveInfo& curve,
                        ByteView point, ByteView scalar, int selection) {
  Bytes encoded = uncompressed_point(curve, point);
  if (encoded.empty()) return nullptr;
  const std::string group(curve.sn);
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, encoded.data(),
                                        encoded.size()))
    throw std::bad_alloc();
  ossl::BnPtr priv;  // must outlive the builder's use of it
  if (selection == EVP_PKEY_KEYPAIR) {
    // A secure BIGNUM puts the scalar in the parameter array's secure block,
    // which OSSL_PARAM_free clears (openssl_handles.h).
    priv.reset(BN_secure_new());
    if (!priv || !BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), priv.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()))
      throw std::bad_alloc();
  }
  ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx, "EC", propq));
  EVP_PKEY* key = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0 ||
      EVP_PKEY_fromdata(pctx.get(), &key, selection, params.get()) <= 0)
    return nullptr;
  return ossl::PkeyPtr(key);
}

}  // namespace

std::optional<Bytes> ecdsa_der_from_raw(ByteView raw, size_t field_bytes) {
  if (field_bytes == 0 || field_bytes > kMaxFieldBytes || raw.size() != 2 * field_bytes)
    return std::nullopt;
  ossl::BnPtr r = unsigned_integer(raw.subview(0, field_bytes));
  ossl::BnPtr s = unsigned_integer(raw.subview(field_bytes));
  if (BN_is_zero(r.get()) || BN_is_zero(s.get())) return std::nullopt;
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) throw std::bad_alloc();
  r.release();  // owned by sig now
  s.release();
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &der);
  ossl::BytesPtr owner(der);
  if (len <= 0) throw std::bad_alloc();
  return Bytes(der, der + len);
}

std::optional<Bytes> ecdsa_raw_from_der(ByteView der, size_t field_bytes) {
  if (field_bytes == 0 || field_bytes > kMaxFieldBytes || der.empty() ||
      der.size() > der_max_size(field_bytes))
    return std::nullopt;
  const unsigned char* p = der.data();
  ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.end()) return std::nullopt;
  // Canonical DER only: what libcrypto writes for it must be the input again
  // (no long-form lengths, no leading zero bytes inside the integers).
  unsigned char* again = nullptr;
  int len = i2d_ECDSA_SIG(sig.get(), &again);
  ossl::BytesPtr owner(again);
  if (len <= 0 || static_cast<size_t>(len) != der.size() ||
      !std::equal(der.begin(), der.end(), again))
    return std::nullopt;
  Bytes raw(2 * field_bytes);
  if (!put_field(ECDSA_SIG_get0_r(sig.get()), field_bytes, raw.data()) ||
      !put_field(ECDSA_SIG_get0_s(sig.get()), field_bytes, raw.data() + field_bytes))
    return std::nullopt;
  return raw;
}

Bytes uncompressed_point(const CurveInfo& curve, ByteView point) {
  const size_t xy = 2 * curve.field_bytes;
  if (point.size() == xy) {
    Bytes out{POINT_CONVERSION_UNCOMPRESSED};
    out.insert(out.end(), point.begin(), point.end());
    return out;
  }
  if (point.size() == 1 + xy && point[0] == POINT_CONVERSION_UNCOMPRESSED) return point.to_bytes();
  return {};
}

ossl::PkeyPtr ec_public_key(OSSL_LIB_CTX* ctx, const CurveInfo& curve, ByteView point,
                            const char* propq) {
  return from_data(ctx, propq, curve, point, {}, EVP_PKEY_PUBLIC_KEY);
}

ossl::PkeyPtr ec_key_pair(OSSL_LIB_CTX* ctx, const CurveInfo& curve, ByteView point,
                          ByteView scalar) {
  if (scalar.size() != curve.field_bytes) return nullptr;
  return from_data(ctx, nullptr, curve, point, scalar, EVP_PKEY_KEYPAIR);
}

Bytes ec_public_point(const EVP_PKEY* key, const CurveInfo& curve) {
  Bytes point(1 + 2 * curve.field_bytes);
  size_t len = 0;
  if (key == nullptr ||
      EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                      &len) != 1 ||
      len != point.size() || point[0] != POINT_CONVERSION_UNCOMPRESSED)
    return {};
  return point;
}

Bytes ec_public_xy(const EVP_PKEY* key, const CurveInfo& curve) {
  Bytes point = ec_public_point(key, curve);
  if (point.empty()) return {};
  return Bytes(point.begin() + 1, point.end());
}

size_t ecdsa_der_max_size(const CurveInfo& curve) {
  return der_max_size((curve.bits + 7) / 8);
}

std::optional<bool> ecdsa_verify_raw(OSSL_LIB_CTX* ctx, const char* propq, const CurveInfo& curve,
                                     ByteView xy, ByteView digest, ByteView raw_signature) {
  if (xy.size() != 2 * curve.field_bytes || digest.empty()) return false;
  std::optional<Bytes> der = ecdsa_der_from_raw(raw_signature, curve.field_bytes);
  if (!der) return false;
  ossl::PkeyPtr key = ec_public_key(ctx, curve, xy, propq);
  ossl::PkeyCtxPtr vctx(key ? EVP_PKEY_CTX_new_from_pkey(ctx, key.get(), propq) : nullptr);
  if (!vctx || EVP_PKEY_verify_init(vctx.get()) != 1) return std::nullopt;
  return EVP_PKEY_verify(vctx.get(), der->data(), der->size(), digest.data(), digest.size()) == 1;
}

std::optional<Curve> curve_of_point(OSSL_LIB_CTX* ctx, const char* propq, ByteView xy) {
  for (uint8_t id = 0; id <= static_cast<uint8_t>(Curve::Brainpool512); ++id) {
    std::optional<CurveInfo> info = curve_info(id);
    if (info && xy.size() == 2 * info->field_bytes && ec_public_key(ctx, *info, xy, propq))
      return info->curve;
  }
  return std::nullopt;
}

}  // namespace maxq::wire
