#include "simulator/sim_crypto.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include <string>

namespace maxq::sim {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw CryptoError("simulated chip crypto: " + what);
}

// Builds an EC key from a public point and, when given, a private scalar.
// nullptr when libcrypto refuses the material (e.g. a point not on the curve).
ossl::PkeyPtr build_key(OSSL_LIB_CTX* ctx, const wire::CurveInfo& curve, ByteView xy,
                        ByteView scalar) {
  if (xy.size() != 2 * curve.field_bytes) return nullptr;
  std::string group(curve.sn);
  Bytes point{0x04};  // SEC1 uncompressed encoding
  point.insert(point.end(), xy.begin(), xy.end());
  ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                        point.size()))
    fail("out of memory building a key");
  ossl::BnPtr priv;  // must outlive the builder's use of it
  if (!scalar.empty()) {
    priv.reset(BN_secure_new());
    if (!priv || !BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), priv.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()))
      fail("out of memory building a key");
  }
  ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx, "EC", nullptr));
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0)
    fail("cannot set up EC key import");
  EVP_PKEY* key = nullptr;
  int selection = scalar.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR;
  if (EVP_PKEY_fromdata(pctx.get(), &key, selection, params.get()) <= 0) return nullptr;
  return ossl::PkeyPtr(key);
}

}  // namespace

SimCrypto::SimCrypto() : ctx_(OSSL_LIB_CTX_new()) {
  if (ctx_) provider_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
  if (!provider_) fail("cannot load OpenSSL's default provider into the chip's library context");
}

KeyPairMaterial SimCrypto::generate(const wire::CurveInfo& curve) {
  std::string group(curve.sn);
  ossl::PkeyPtr key(EVP_PKEY_Q_keygen(ctx_.get(), nullptr, "EC", group.c_str()));
  if (!key) fail("key generation on " + group);
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw)) fail("private key");
  ossl::BnPtr priv(raw);
  KeyPairMaterial m;
  m.private_scalar = SecretBytes(curve.field_bytes);
  if (BN_bn2binpad(priv.get(), m.private_scalar.data(), static_cast<int>(curve.field_bytes)) < 0)
    fail("private key size");
  Bytes point(1 + 2 * curve.field_bytes);
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size(), &len) ||
      len != point.size() || point[0] != 0x04)
    fail("public key encoding");
  m.public_xy.assign(point.begin() + 1, point.end());
  m.key = std::move(key);
  return m;
}

ossl::PkeyPtr SimCrypto::key_pair(const wire::CurveInfo& curve, ByteView private_scalar,
                                  ByteView public_xy) {
  if (private_scalar.size() != curve.field_bytes) fail("stored private key has the wrong size");
  ossl::PkeyPtr key = build_key(ctx_.get(), curve, public_xy, private_scalar);
  if (!key) fail("stored key pair does not load");
  return key;
}

ossl::PkeyPtr SimCrypto::public_key(const wire::CurveInfo& curve, ByteView public_xy) {
  return build_key(ctx_.get(), curve, public_xy, {});
}

ossl::PkeyPtr SimCrypto::checked_key_pair(const wire::CurveInfo& curve, ByteView private_scalar,
                                          ByteView public_xy) {
  if (private_scalar.size() != curve.field_bytes) return nullptr;
  ossl::PkeyPtr key = build_key(ctx_.get(), curve, public_xy, private_scalar);
  if (!key) return nullptr;
  // The full check: public point, private range and pairwise consistency.
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key.get(), nullptr));
  if (!pctx) fail("out of memory checking a key pair");
  if (EVP_PKEY_check(pctx.get()) != 1) return nullptr;
  return key;
}

Bytes SimCrypto::sign_digest(EVP_PKEY* key, size_t field_bytes, ByteView digest) {
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key, nullptr));
  size_t der_len = 0;
  if (!pctx || EVP_PKEY_sign_init(pctx.get()) <= 0 ||
      EVP_PKEY_sign(pctx.get(), nullptr, &der_len, digest.data(), digest.size()) <= 0)
    fail("ECDSA sign setup");
  Bytes der(der_len);
  if (EVP_PKEY_sign(pctx.get(), der.data(), &der_len, digest.data(), digest.size()) <= 0)
    fail("ECDSA sign");
  const unsigned char* p = der.data();
  ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) fail("ECDSA signature encoding");
  // The wire carries fixed-size big-endian r and s.
  Bytes raw(2 * field_bytes);
  int n = static_cast<int>(field_bytes);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), n) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + n, n) < 0)
    fail("ECDSA signature size");
  return raw;
}

bool SimCrypto::verify_digest(EVP_PKEY* key, size_t field_bytes, ByteView digest,
                              ByteView raw_signature) {
  if (raw_signature.size() != 2 * field_bytes) return false;
  int n = static_cast<int>(field_bytes);
  ossl::BnPtr r(BN_bin2bn(raw_signature.data(), n, nullptr));
  ossl::BnPtr s(BN_bin2bn(raw_signature.data() + n, n, nullptr));
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || !ECDSA_SIG_set0(sig.get(), r.get(), s.get()))
    fail("out of memory verifying");
  r.release();  // now owned by sig
  s.release();
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) fail("ECDSA signature encoding");
  ossl::BytesPtr der_owner(der);
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key, nullptr));
  if (!pctx || EVP_PKEY_verify_init(pctx.get()) <= 0) fail("ECDSA verify setup");
  return EVP_PKEY_verify(pctx.get(), der, static_cast<size_t>(der_len), digest.data(),
                         digest.size()) == 1;
}

SecretBytes SimCrypto::ecdh(EVP_PKEY* key, EVP_PKEY* peer, size_t field_bytes) {
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key, nullptr));
  if (!pctx || EVP_PKEY_derive_init(pctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer_ex(pctx.get(), peer, 1) <= 0)
    fail("ECDH setup");
  size_t len = 0;
  if (EVP_PKEY_derive(pctx.get(), nullptr, &len) <= 0 || len != field_bytes) fail("ECDH size");
  SecretBytes secret(len);
  if (EVP_PKEY_derive(pctx.get(), secret.data(), &len) <= 0 || len != field_bytes)
    fail("ECDH derive");
  return secret;
}

Bytes SimCrypto::digest(wire::Algorithm alg, ByteView data) {
  const char* name = nullptr;
  switch (alg) {
    case wire::Algorithm::Sha256:
      name = "SHA2-256";
      break;
    case wire::Algorithm::Sha384:
      name = "SHA2-384";
      break;
    case wire::Algorithm::Sha512:
      name = "SHA2-512";
      break;
    default:
      fail("not a digest algorithm");
  }
  ossl::MdPtr md(EVP_MD_fetch(ctx_.get(), name, nullptr));
  if (!md) fail(std::string("digest ") + name);
  Bytes out(static_cast<size_t>(EVP_MD_get_size(md.get())));
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &len, md.get(), nullptr) ||
      len != out.size())
    fail(std::string("digest ") + name);
  return out;
}

void SimCrypto::random(uint8_t* out, size_t n) {
  if (n && RAND_bytes_ex(ctx_.get(), out, n, 0) != 1) fail("random number generator");
}

}  // namespace maxq::sim
