// ECDSA: the digest is computed in software and signed on the chip (one chip
// command per signature); verification is software only.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_signature_newctx_fn sig_newctx;
OSSL_FUNC_signature_freectx_fn sig_freectx;
OSSL_FUNC_signature_dupctx_fn sig_dupctx;
OSSL_FUNC_signature_sign_init_fn sig_sign_init;
OSSL_FUNC_signature_sign_fn sig_sign;
OSSL_FUNC_signature_verify_init_fn sig_verify_init;
OSSL_FUNC_signature_verify_fn sig_verify;
OSSL_FUNC_signature_digest_sign_init_fn sig_digest_sign_init;
OSSL_FUNC_signature_digest_sign_update_fn sig_digest_update;
OSSL_FUNC_signature_digest_sign_final_fn sig_digest_sign_final;
OSSL_FUNC_signature_digest_verify_init_fn sig_digest_verify_init;
OSSL_FUNC_signature_digest_verify_update_fn sig_digest_verify_update;
OSSL_FUNC_signature_digest_verify_final_fn sig_digest_verify_final;
OSSL_FUNC_signature_get_ctx_params_fn sig_get_ctx_params;
OSSL_FUNC_signature_gettable_ctx_params_fn sig_gettable_ctx_params;
OSSL_FUNC_signature_set_ctx_params_fn sig_set_ctx_params;
OSSL_FUNC_signature_settable_ctx_params_fn sig_settable_ctx_params;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct MdDeleter {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};

struct SignatureContext {
  ProviderContext* ctx;
  EcKey* key = nullptr;  // owned by OpenSSL's EVP_PKEY
  std::unique_ptr<EVP_MD, MdDeleter> md;
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> mdctx;
};

// DER AlgorithmIdentifier of ecdsa-with-SHAxxx (RFC 5758), no parameters.
bool algorithm_id(const EVP_MD* md, Bytes& out) {
  static const uint8_t prefix[] = {0x30, 0x0A, 0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03};
  uint8_t last;
  if (EVP_MD_is_a(md, "SHA2-224")) last = 1;
  else if (EVP_MD_is_a(md, "SHA2-256")) last = 2;
  else if (EVP_MD_is_a(md, "SHA2-384")) last = 3;
  else if (EVP_MD_is_a(md, "SHA2-512")) last = 4;
  else return false;
  out.assign(prefix, prefix + sizeof prefix);
  out.push_back(last);
  return true;
}

void* sig_newctx(void* provctx, const char*) {
  auto c = std::make_unique<SignatureContext>();
  c->ctx = static_cast<ProviderContext*>(provctx);
  return c.release();
}

void sig_freectx(void* vctx) { std::unique_ptr<SignatureContext>(static_cast<SignatureContext*>(vctx)); }

void* sig_dupctx(void* vctx) {
  auto* src = static_cast<SignatureContext*>(vctx);
  auto c = std::make_unique<SignatureContext>();
  c->ctx = src->ctx;
  c->key = src->key;
  if (src->md) {
    if (!EVP_MD_up_ref(src->md.get())) return nullptr;
    c->md.reset(src->md.get());
  }
  if (src->mdctx) {
    c->mdctx.reset(EVP_MD_CTX_new());
    if (!c->mdctx || !EVP_MD_CTX_copy_ex(c->mdctx.get(), src->mdctx.get())) return nullptr;
  }
  return c.release();
}

bool set_digest(SignatureContext* c, const char* name) {
  try {
    c->md.reset(EVP_MD_fetch(c->ctx->software_libctx(), name, nullptr));
  } catch (const std::exception& e) {
    raise_exception(c->ctx, e);
    return false;
  }
  if (!c->md) {
    raise_error(c->ctx, kReasonInvalidArgument, "digest %s is not available for ECDSA", name);
    return false;
  }
  return true;
}

int init(SignatureContext* c, void* provkey, const OSSL_PARAM params[], bool need_private) {
  auto* key = static_cast<EcKey*>(provkey);
  if (key) c->key = key;
  if (!c->key || !c->key->curve) {
    raise_error(c->ctx, kReasonInvalidKey, "no EC key for ECDSA");
    return 0;
  }
  if (need_private && !c->key->has_private()) {
    raise_error(c->ctx, kReasonInvalidKey, "ECDSA signing needs a private key");
    return 0;
  }
  return sig_set_ctx_params(c, params);
}

int sig_sign_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  return init(static_cast<SignatureContext*>(vctx), provkey, params, true);
}
int sig_verify_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  return init(static_cast<SignatureContext*>(vctx), provkey, params, false);
}

// Signs `digest` with the context's key: on the chip, or in software for a
// software key pair. Writes DER.
int sign_digest(SignatureContext* c, unsigned char* sig, size_t* siglen, size_t sigsize,
                const unsigned char* digest, size_t digest_len) {
  EcKey& key = *c->key;
  size_t max = ecdsa_der_max_size(*key.curve);
  if (!sig) {
    *siglen = max;
    return 1;
  }
  try {
    if (!key.on_chip()) {
      std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
          EVP_PKEY_CTX_new_from_pkey(c->ctx->software_libctx(), key.software.get(), nullptr),
          EVP_PKEY_CTX_free);
      *siglen = sigsize;
      return pctx && EVP_PKEY_sign_init(pctx.get()) > 0 &&
             EVP_PKEY_sign(pctx.get(), sig, siglen, digest, digest_len) > 0;
    }
    if (!ec_key_on_configured_chip(key)) return 0;
    Bytes raw = c->ctx->device().sign(*key.object_id, ByteView(digest, digest_len));
    size_t half = raw.size() / 2;
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> es(ECDSA_SIG_new(), ECDSA_SIG_free);
    BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(half), nullptr);
    BIGNUM* s = BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr);
    if (!es || !r || !s || !ECDSA_SIG_set0(es.get(), r, s)) {
      BN_free(r);
      BN_free(s);
      raise_error(c->ctx, kReasonInternal, "out of memory");
      return 0;
    }
    int der_len = i2d_ECDSA_SIG(es.get(), nullptr);
    if (der_len <= 0 || static_cast<size_t>(der_len) > sigsize) {
      raise_error(c->ctx, kReasonInvalidArgument, "signature buffer too small");
      return 0;
    }
    unsigned char* p = sig;
    *siglen = static_cast<size_t>(i2d_ECDSA_SIG(es.get(), &p));
    return 1;
  } catch (const std::exception& e) {
    raise_exception(c->ctx, e);
    return 0;
  }
}

int sig_sign(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize, const unsigned char* tbs,
             size_t tbslen) {
  auto* c = static_cast<SignatureContext*>(vctx);
  if (c->md && tbslen != static_cast<size_t>(EVP_MD_get_size(c->md.get()))) {
    raise_error(c->ctx, kReasonInvalidArgument, "digest length %zu does not match the digest", tbslen);
    return 0;
  }
  return sign_digest(c, sig, siglen, sigsize, tbs, tbslen);
}

int verify_digest(SignatureContext* c, const unsigned char* sig, size_t siglen, const unsigned char* digest,
                  size_t digest_len) {
  try {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
        EVP_PKEY_CTX_new_from_pkey(c->ctx->software_libctx(), c->key->software.get(), nullptr),
        EVP_PKEY_CTX_free);
    return pctx && EVP_PKEY_verify_init(pctx.get()) > 0 &&
                   EVP_PKEY_verify(pctx.get(), sig, siglen, digest, digest_len) == 1
               ? 1
               : 0;
  } catch (const std::exception& e) {
    raise_exception(c->ctx, e);
    return 0;
  }
}

int sig_verify(void* vctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs, size_t tbslen) {
  return verify_digest(static_cast<SignatureContext*>(vctx), sig, siglen, tbs, tbslen);
}

int digest_init(SignatureContext* c, const char* mdname, void* provkey, const OSSL_PARAM params[], bool sign) {
  if (!init(c, provkey, params, sign)) return 0;
  if (mdname && *mdname && !set_digest(c, mdname)) return 0;
  if (!c->md && !set_digest(c, c->key->curve->field_bytes >= 48 ? "SHA384" : "SHA256")) return 0;
  c->mdctx.reset(EVP_MD_CTX_new());
  return c->mdctx && EVP_DigestInit_ex2(c->mdctx.get(), c->md.get(), nullptr) ? 1 : 0;
}

int sig_digest_sign_init(void* vctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  return digest_init(static_cast<SignatureContext*>(vctx), mdname, provkey, params, true);
}
int sig_digest_verify_init(void* vctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  return digest_init(static_cast<SignatureContext*>(vctx), mdname, provkey, params, false);
}

int sig_digest_update(void* vctx, const unsigned char* data, size_t len) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return c->mdctx && EVP_DigestUpdate(c->mdctx.get(), data, len) ? 1 : 0;
}
int sig_digest_verify_update(void* vctx, const unsigned char* data, size_t len) {
  return sig_digest_update(vctx, data, len);
}

int sig_digest_sign_final(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* c = static_cast<SignatureContext*>(vctx);
  if (!sig) return sign_digest(c, nullptr, siglen, sigsize, nullptr, 0);  // size query, no I/O
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!c->mdctx || !EVP_DigestFinal_ex(c->mdctx.get(), digest, &n)) return 0;
  return sign_digest(c, sig, siglen, sigsize, digest, n);
}

int sig_digest_verify_final(void* vctx, const unsigned char* sig, size_t siglen) {
  auto* c = static_cast<SignatureContext*>(vctx);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!c->mdctx || !EVP_DigestFinal_ex(c->mdctx.get(), digest, &n)) return 0;
  return verify_digest(c, sig, siglen, digest, n);
}

int sig_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID))) {
    Bytes der;
    if (!c->md || !algorithm_id(c->md.get(), der) || !OSSL_PARAM_set_octet_string(p, der.data(), der.size()))
      return 0;
  }
  if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST)) &&
      (!c->md || !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(c->md.get()))))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE)) &&
      (!c->md || !OSSL_PARAM_set_size_t(p, static_cast<size_t>(EVP_MD_get_size(c->md.get())))))
    return 0;
  return 1;
}

const OSSL_PARAM* sig_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, nullptr),
      OSSL_PARAM_END,
  };
  return p;
}

int sig_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  if (!params) return 1;
  if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST)) {
    const char* name = nullptr;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || !set_digest(c, name)) return 0;
  }
  return 1;
}

const OSSL_PARAM* sig_settable_ctx_params(void*, void*) {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_END,
  };
  return p;
}

}  // namespace

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH ecdsa_signature_functions[] = {
    FN(OSSL_FUNC_SIGNATURE_NEWCTX, sig_newctx),
    FN(OSSL_FUNC_SIGNATURE_FREECTX, sig_freectx),
    FN(OSSL_FUNC_SIGNATURE_DUPCTX, sig_dupctx),
    FN(OSSL_FUNC_SIGNATURE_SIGN_INIT, sig_sign_init),
    FN(OSSL_FUNC_SIGNATURE_SIGN, sig_sign),
    FN(OSSL_FUNC_SIGNATURE_VERIFY_INIT, sig_verify_init),
    FN(OSSL_FUNC_SIGNATURE_VERIFY, sig_verify),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, sig_digest_sign_init),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, sig_digest_update),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, sig_digest_sign_final),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, sig_digest_verify_init),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, sig_digest_verify_update),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, sig_digest_verify_final),
    FN(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, sig_get_ctx_params),
    FN(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, sig_gettable_ctx_params),
    FN(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, sig_set_ctx_params),
    FN(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, sig_settable_ctx_params),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
