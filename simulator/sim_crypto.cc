#include "simulator/sim_crypto.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include <optional>
#include <string>

#include "wire/ec_codec.h"

namespace maxq::sim {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw CryptoError("simulated chip crypto: " + what);
}

}  // namespace

SimCrypto::SimCrypto() : ctx_(OSSL_LIB_CTX_new()) {
  if (ctx_) provider_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
  if (!provider_) fail("cannot load OpenSSL's default provider into the chip's library context");
  // The chip's random source (ECDSA nonces, key generation, get challenge) is
  // a Hash_DRBG over SHA-256, which the state file's digest has fetched already.
  // OpenSSL's default CTR-DRBG would build every cipher of the default provider
  // in this context at the first signature: 3.2 M instructions, a third of what
  // a one-shot `openssl dgst -sign` on a sim: chip paid (issue 16).
  if (RAND_set_DRBG_type(ctx_.get(), "HASH-DRBG", nullptr, nullptr, "SHA256") != 1)
    fail("cannot select the Hash_DRBG (SHA-256) for the chip's random numbers");
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
  m.public_xy = wire::ec_public_xy(key.get(), curve);
  if (m.public_xy.empty()) fail("public key encoding");
  m.key = std::move(key);
  return m;
}

ossl::PkeyPtr SimCrypto::key_pair(const wire::CurveInfo& curve, ByteView private_scalar,
                                  ByteView public_xy) {
  if (private_scalar.size() != curve.field_bytes) fail("stored private key has the wrong size");
  ossl::PkeyPtr key = wire::ec_key_pair(ctx_.get(), curve, public_xy, private_scalar);
  if (!key) fail("stored key pair does not load");
  return key;
}

ossl::PkeyPtr SimCrypto::public_key(const wire::CurveInfo& curve, ByteView public_xy) {
  if (public_xy.size() != 2 * curve.field_bytes) return nullptr;  // X || Y only
  return wire::ec_public_key(ctx_.get(), curve, public_xy);
}

ossl::PkeyPtr SimCrypto::checked_key_pair(const wire::CurveInfo& curve, ByteView private_scalar,
                                          ByteView public_xy) {
  if (public_xy.size() != 2 * curve.field_bytes) return nullptr;  // X || Y only
  ossl::PkeyPtr key = wire::ec_key_pair(ctx_.get(), curve, public_xy, private_scalar);
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
  // The wire carries fixed-size big-endian r and s.
  std::optional<Bytes> raw = wire::ecdsa_raw_from_der(ByteView(der.data(), der_len), field_bytes);
  if (!raw) fail("ECDSA signature encoding");
  return *raw;
}

bool SimCrypto::verify_digest(EVP_PKEY* key, size_t field_bytes, ByteView digest,
                              ByteView raw_signature) {
  // A signature of the wrong size or with r or s zero verifies nothing.
  std::optional<Bytes> der = wire::ecdsa_der_from_raw(raw_signature, field_bytes);
  if (!der) return false;
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key, nullptr));
  if (!pctx || EVP_PKEY_verify_init(pctx.get()) <= 0) fail("ECDSA verify setup");
  return EVP_PKEY_verify(pctx.get(), der->data(), der->size(), digest.data(), digest.size()) == 1;
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
