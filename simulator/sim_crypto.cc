#include "simulator/sim_crypto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <string>

namespace maxq::sim {
namespace {

template <auto Fn>
struct Free {
  template <class T>
  void operator()(T* p) const { Fn(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Free<BN_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Free<OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Free<OSSL_PARAM_free>>;
using SigPtr = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Free<EVP_MD_free>>;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("simulator crypto: " + what);
}

Bytes uncompressed(ByteView xy) {
  Bytes p{0x04};
  p.insert(p.end(), xy.begin(), xy.end());
  return p;
}

// nullptr when the point (or scalar) is not valid for the curve.
PkeyPtr make_key(OSSL_LIB_CTX* ctx, const wire::CurveInfo& curve, ByteView xy,
                 ByteView scalar = {}) {
  if (xy.size() != 2 * curve.field_bytes) return nullptr;
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::string group(curve.sn);
  Bytes point = uncompressed(xy);
  BnPtr priv;
  if (!bld || !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()))
    fail("out of memory");
  if (!scalar.empty()) {
    priv.reset(BN_secure_new());
    if (!priv || !BN_bin2bn(scalar.data(), static_cast<int>(scalar.size()), priv.get()) ||
        !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()))
      fail("out of memory");
  }
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx, "EC", nullptr));
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0) fail("cannot build an EC key");
  EVP_PKEY* key = nullptr;
  int selection = scalar.empty() ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEYPAIR;
  if (EVP_PKEY_fromdata(pctx.get(), &key, selection, params.get()) <= 0) return nullptr;
  return PkeyPtr(key);
}

}  // namespace

SimCrypto& SimCrypto::instance() {
  static SimCrypto crypto;
  return crypto;
}

SimCrypto::SimCrypto() {
  ctx_ = OSSL_LIB_CTX_new();
  provider_ = ctx_ ? OSSL_PROVIDER_load(ctx_, "default") : nullptr;
  if (!provider_) fail("cannot load OpenSSL's default provider into the simulator's context");
}

SimCrypto::~SimCrypto() {
  OSSL_PROVIDER_unload(provider_);
  OSSL_LIB_CTX_free(ctx_);
}

KeyPairMaterial SimCrypto::generate(const wire::CurveInfo& curve) {
  std::string group(curve.sn);
  PkeyPtr key(EVP_PKEY_Q_keygen(ctx_, nullptr, "EC", group.c_str()));
  if (!key) fail("key generation on " + group);
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw)) fail("private key");
  BnPtr priv(raw);
  KeyPairMaterial m;
  m.private_scalar = SecretBytes(curve.field_bytes);
  if (BN_bn2binpad(priv.get(), m.private_scalar.data(), static_cast<int>(curve.field_bytes)) < 0)
    fail("private key size");
  Bytes point(1 + 2 * curve.field_bytes);
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) ||
      len != point.size() || point[0] != 0x04)
    fail("public key encoding");
  m.public_xy.assign(point.begin() + 1, point.end());
  return m;
}

namespace {

EVP_PKEY* cached_key(OSSL_LIB_CTX* ctx, const wire::CurveInfo& curve, ByteView xy, ByteView scalar,
                     std::shared_ptr<EVP_PKEY>& cache) {
  if (!cache) {
    PkeyPtr key = make_key(ctx, curve, xy, scalar);
    if (!key) fail("stored key pair is invalid");
    cache.reset(key.release(), EVP_PKEY_free);
  }
  return cache.get();
}

}  // namespace

Bytes SimCrypto::sign_digest(const wire::CurveInfo& curve, ByteView scalar, ByteView xy,
                             ByteView digest, std::shared_ptr<EVP_PKEY>& cache) {
  EVP_PKEY* key = cached_key(ctx_, curve, xy, scalar, cache);
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_, key, nullptr));
  size_t der_len = 0;
  if (!pctx || EVP_PKEY_sign_init(pctx.get()) <= 0 ||
      EVP_PKEY_sign(pctx.get(), nullptr, &der_len, digest.data(), digest.size()) <= 0)
    fail("sign init");
  Bytes der(der_len);
  if (EVP_PKEY_sign(pctx.get(), der.data(), &der_len, digest.data(), digest.size()) <= 0)
    fail("sign");
  const unsigned char* p = der.data();
  SigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) fail("signature encoding");
  Bytes raw(2 * curve.field_bytes);
  int n = static_cast<int>(curve.field_bytes);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), n) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + n, n) < 0)
    fail("signature size");
  return raw;
}

bool SimCrypto::verify_digest(const wire::CurveInfo& curve, ByteView xy, ByteView digest,
                              ByteView raw_signature) {
  if (raw_signature.size() != 2 * curve.field_bytes) return false;
  PkeyPtr key = make_key(ctx_, curve, xy);
  if (!key) return false;
  SigPtr sig(ECDSA_SIG_new());
  int n = static_cast<int>(curve.field_bytes);
  BIGNUM* r = BN_bin2bn(raw_signature.data(), n, nullptr);
  BIGNUM* s = BN_bin2bn(raw_signature.data() + n, n, nullptr);
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    fail("out of memory");
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) fail("signature encoding");
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_, key.get(), nullptr));
  bool ok = pctx && EVP_PKEY_verify_init(pctx.get()) > 0 &&
            EVP_PKEY_verify(pctx.get(), der, static_cast<size_t>(der_len), digest.data(),
                            digest.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

std::optional<SecretBytes> SimCrypto::ecdh(const wire::CurveInfo& curve, ByteView scalar,
                                           ByteView xy, ByteView peer_xy, std::shared_ptr<EVP_PKEY>& cache) {
  PkeyPtr peer = make_key(ctx_, curve, peer_xy);
  if (!peer) return std::nullopt;
  EVP_PKEY* key = cached_key(ctx_, curve, xy, scalar, cache);
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_, key, nullptr));
  size_t len = 0;
  if (!pctx || EVP_PKEY_derive_init(pctx.get()) <= 0 ||
      EVP_PKEY_derive_set_peer_ex(pctx.get(), peer.get(), 1) <= 0)
    return std::nullopt;
  if (EVP_PKEY_derive(pctx.get(), nullptr, &len) <= 0 || len != curve.field_bytes) fail("derive size");
  SecretBytes secret(len);
  if (EVP_PKEY_derive(pctx.get(), secret.data(), &len) <= 0) fail("derive");
  return secret;
}

bool SimCrypto::point_on_curve(const wire::CurveInfo& curve, ByteView xy) {
  return make_key(ctx_, curve, xy) != nullptr;
}

Bytes SimCrypto::digest(wire::Algorithm alg, ByteView data) {
  const char* name = alg == wire::Algorithm::Sha384   ? "SHA384"
                     : alg == wire::Algorithm::Sha512 ? "SHA512"
                                                      : "SHA256";
  MdPtr md(EVP_MD_fetch(ctx_, name, nullptr));
  if (!md) fail(std::string("digest ") + name);
  Bytes out(static_cast<size_t>(EVP_MD_get_size(md.get())));
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), out.data(), &len, md.get(), nullptr)) fail("digest");
  return out;
}

void SimCrypto::random(uint8_t* out, size_t n) {
  if (n && RAND_bytes_ex(ctx_, out, n, 0) != 1) fail("TRNG");
}

}  // namespace maxq::sim
