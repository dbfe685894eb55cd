// ECDH: on the chip for chip keys (one command), in software for software keys.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_keyexch_newctx_fn kex_newctx;
OSSL_FUNC_keyexch_freectx_fn kex_freectx;
OSSL_FUNC_keyexch_dupctx_fn kex_dupctx;
OSSL_FUNC_keyexch_init_fn kex_init;
OSSL_FUNC_keyexch_set_peer_fn kex_set_peer;
OSSL_FUNC_keyexch_derive_fn kex_derive;
OSSL_FUNC_keyexch_set_ctx_params_fn kex_set_ctx_params;
OSSL_FUNC_keyexch_settable_ctx_params_fn kex_settable_ctx_params;

struct ExchangeContext {
  ProviderContext* ctx;
  EcKey* key = nullptr;   // owned by OpenSSL's EVP_PKEY
  EcKey* peer = nullptr;  // likewise
};

void* kex_newctx(void* provctx) {
  auto c = std::make_unique<ExchangeContext>();
  c->ctx = static_cast<ProviderContext*>(provctx);
  return c.release();
}

void kex_freectx(void* vctx) { std::unique_ptr<ExchangeContext>(static_cast<ExchangeContext*>(vctx)); }

void* kex_dupctx(void* vctx) {
  return std::make_unique<ExchangeContext>(*static_cast<ExchangeContext*>(vctx)).release();
}

int kex_init(void* vctx, void* provkey, const OSSL_PARAM[]) {
  auto* c = static_cast<ExchangeContext*>(vctx);
  auto* key = static_cast<EcKey*>(provkey);
  if (!key || !key->curve || !key->has_private()) {
    raise_error(c->ctx, kReasonInvalidKey, "ECDH needs an EC private key");
    return 0;
  }
  c->key = key;
  return 1;
}

int kex_set_peer(void* vctx, void* provkey) {
  auto* c = static_cast<ExchangeContext*>(vctx);
  auto* peer = static_cast<EcKey*>(provkey);
  if (!peer || !peer->curve || peer->public_point.empty() || !peer->software) {
    raise_error(c->ctx, kReasonInvalidKey, "the ECDH peer has no valid public key");
    return 0;
  }
  if (c->key && c->key->curve->curve != peer->curve->curve) {
    raise_error(c->ctx, kReasonInvalidKey, "the ECDH peer key is on %s, our key on %s",
                std::string(peer->curve->sn).c_str(), std::string(c->key->curve->sn).c_str());
    return 0;
  }
  c->peer = peer;
  return 1;
}

int kex_derive(void* vctx, unsigned char* secret, size_t* secretlen, size_t outlen) {
  auto* c = static_cast<ExchangeContext*>(vctx);
  if (!c->key || !c->peer) {
    raise_error(c->ctx, kReasonInvalidArgument, "ECDH needs a key and a peer");
    return 0;
  }
  size_t len = c->key->curve->field_bytes;
  if (!secret) {
    *secretlen = len;
    return 1;
  }
  if (outlen < len) {
    raise_error(c->ctx, kReasonInvalidArgument, "ECDH output buffer too small");
    return 0;
  }
  try {
    if (c->key->on_chip()) {
      if (!ec_key_on_configured_chip(*c->key)) return 0;
      SecretBytes s = c->ctx->device().ecdh(*c->key->object_id, c->peer->public_xy());
      std::memcpy(secret, s.data(), s.size());
      *secretlen = s.size();
      return 1;
    }
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
        EVP_PKEY_CTX_new_from_pkey(c->ctx->software_libctx(), c->key->software.get(), nullptr),
        EVP_PKEY_CTX_free);
    *secretlen = outlen;
    return pctx && EVP_PKEY_derive_init(pctx.get()) > 0 &&
                   EVP_PKEY_derive_set_peer(pctx.get(), c->peer->software.get()) > 0 &&
                   EVP_PKEY_derive(pctx.get(), secret, secretlen) > 0
               ? 1
               : 0;
  } catch (const std::exception& e) {
    raise_exception(c->ctx, e);
    return 0;
  }
}

int kex_set_ctx_params(void*, const OSSL_PARAM[]) { return 1; }

const OSSL_PARAM* kex_settable_ctx_params(void*, void*) {
  static const OSSL_PARAM p[] = {OSSL_PARAM_END};
  return p;
}

}  // namespace

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH ecdh_keyexch_functions[] = {
    FN(OSSL_FUNC_KEYEXCH_NEWCTX, kex_newctx),
    FN(OSSL_FUNC_KEYEXCH_FREECTX, kex_freectx),
    FN(OSSL_FUNC_KEYEXCH_DUPCTX, kex_dupctx),
    FN(OSSL_FUNC_KEYEXCH_INIT, kex_init),
    FN(OSSL_FUNC_KEYEXCH_SET_PEER, kex_set_peer),
    FN(OSSL_FUNC_KEYEXCH_DERIVE, kex_derive),
    FN(OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, kex_set_ctx_params),
    FN(OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS, kex_settable_ctx_params),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
