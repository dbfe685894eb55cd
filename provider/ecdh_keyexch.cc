// ECDH: with a chip key the shared secret is computed on the chip (one chip
// command with the peer's X || Y); a software key pair (e.g. an ephemeral key
// made in software when every temporary slot was busy) derives in software.
// The size query answers from the key's curve, without device I/O.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <string>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/provider_errors.h"
#include "transport/errors.h"
#include "wire/openssl_handles.h"

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
OSSL_FUNC_keyexch_get_ctx_params_fn kex_get_ctx_params;
OSSL_FUNC_keyexch_gettable_ctx_params_fn kex_gettable_ctx_params;

struct ExchangeContext {
  explicit ExchangeContext(ProviderContext* c) : ctx(c) {}
  ProviderContext* ctx;
  EcKey* key = nullptr;  // owned by the EVP_PKEYs, which outlive this context
  EcKey* peer = nullptr;
};

void* kex_newctx(void* provctx) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  return guarded(ctx, static_cast<void*>(nullptr),
                 [&]() -> void* { return std::make_unique<ExchangeContext>(ctx).release(); });
}

void kex_freectx(void* vctx) {
  std::unique_ptr<ExchangeContext>(static_cast<ExchangeContext*>(vctx));
}

void* kex_dupctx(void* vctx) {
  auto* src = static_cast<ExchangeContext*>(vctx);
  return guarded(src->ctx, static_cast<void*>(nullptr), [&]() -> void* {
    auto c = std::make_unique<ExchangeContext>(src->ctx);
    c->key = src->key;
    c->peer = src->peer;
    return c.release();
  });
}

int kex_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  auto* c = static_cast<ExchangeContext*>(vctx);
  auto* key = static_cast<EcKey*>(provkey);
  if (key == nullptr || !key->curve || !key->has_private()) {
    raise_error(c->ctx, kReasonInvalidKey, "ECDH needs an EC private key");
    return 0;
  }
  c->key = key;
  c->peer = nullptr;
  return kex_set_ctx_params(c, params);
}

int kex_set_peer(void* vctx, void* provkey) {
  auto* c = static_cast<ExchangeContext*>(vctx);
  auto* peer = static_cast<EcKey*>(provkey);
  return guarded(c->ctx, 0, [&] {
    if (peer == nullptr || !peer->curve || peer->public_point.empty()) {
      raise_error(c->ctx, kReasonInvalidKey, "the ECDH peer key has no valid public point");
      return 0;
    }
    if (c->key != nullptr && c->key->curve->curve != peer->curve->curve) {
      raise_error(c->ctx, kReasonInvalidKey, "the ECDH peer key is on %s, our key on %s",
                  std::string(peer->curve->sn).c_str(), std::string(c->key->curve->sn).c_str());
      return 0;
    }
    c->peer = peer;
    return 1;
  });
}

int derive_in_software(ExchangeContext& c, unsigned char* secret, size_t* secretlen,
                       size_t outlen) {
  EVP_PKEY* own = ec_key_software(*c.key);
  EVP_PKEY* peer = ec_key_software(*c.peer);
  if (own == nullptr || peer == nullptr) return 0;
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(c.ctx->software_libctx(), own, nullptr));
  *secretlen = outlen;
  // The peer's point was validated when it was set.
  return pctx && EVP_PKEY_derive_init(pctx.get()) > 0 &&
                 EVP_PKEY_derive_set_peer_ex(pctx.get(), peer, 0) > 0 &&
                 EVP_PKEY_derive(pctx.get(), secret, secretlen) > 0
             ? 1
             : 0;
}

int kex_derive(void* vctx, unsigned char* secret, size_t* secretlen, size_t outlen) {
  auto* c = static_cast<ExchangeContext*>(vctx);
  return guarded(c->ctx, 0, [&] {
    if (c->key == nullptr || c->peer == nullptr) {
      raise_error(c->ctx, kReasonInvalidArgument, "ECDH needs a private key and a peer key");
      return 0;
    }
    size_t len = c->key->curve->field_bytes;
    if (secret == nullptr) {
      *secretlen = len;
      return 1;
    }
    if (outlen < len) {
      raise_error(c->ctx, kReasonInvalidArgument,
                  "ECDH output buffer of %zu bytes is too small (%zu)", outlen, len);
      return 0;
    }
    if (!c->key->on_chip()) return derive_in_software(*c, secret, secretlen, outlen);
    if (!ec_key_on_configured_chip(*c->key)) return 0;
    SecretBytes shared = c->ctx->device().ecdh(*c->key->object_id, c->peer->public_xy());
    if (shared.size() != len)
      throw transport::ProtocolError("the MAXQ1061 answered key exchange with " +
                                     std::to_string(shared.size()) + " bytes instead of " +
                                     std::to_string(len));
    std::memcpy(secret, shared.data(), len);
    *secretlen = len;
    return 1;
  });
}

// Raw ECDH only: the pad flag is meaningless (the secret always has the field's
// size), cofactor mode changes nothing on the supported prime curves, and a KDF
// on top is left to the caller.
int kex_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* c = static_cast<ExchangeContext*>(vctx);
  if (params == nullptr) return 1;
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_TYPE);
  const char* kdf = nullptr;
  if (p != nullptr && (!OSSL_PARAM_get_utf8_string_ptr(p, &kdf) || *kdf != '\0')) {
    raise_error(c->ctx, kReasonInvalidArgument,
                "ECDH with a MAXQ1061 key supports no KDF (%s); derive the raw secret",
                kdf != nullptr ? kdf : "?");
    return 0;
  }
  return 1;
}

const OSSL_PARAM* kex_settable_ctx_params(void*, void*) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_PAD, nullptr),
      OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, nullptr),
      OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, nullptr, 0),
      OSSL_PARAM_END,
  };
  return settable;
}

int kex_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  OSSL_PARAM* p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_TYPE);
  if (p != nullptr && !OSSL_PARAM_set_utf8_string(p, "")) return 0;
  p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE);
  if (p != nullptr && !OSSL_PARAM_set_int(p, 0)) return 0;
  return 1;
}

const OSSL_PARAM* kex_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM gettable[] = {
      OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, nullptr, 0),
      OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, nullptr),
      OSSL_PARAM_END,
  };
  return gettable;
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH ecdh_keyexch_functions[] = {
    FN(OSSL_FUNC_KEYEXCH_NEWCTX, kex_newctx),
    FN(OSSL_FUNC_KEYEXCH_FREECTX, kex_freectx),
    FN(OSSL_FUNC_KEYEXCH_DUPCTX, kex_dupctx),
    FN(OSSL_FUNC_KEYEXCH_INIT, kex_init),
    FN(OSSL_FUNC_KEYEXCH_SET_PEER, kex_set_peer),
    FN(OSSL_FUNC_KEYEXCH_DERIVE, kex_derive),
    FN(OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, kex_set_ctx_params),
    FN(OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS, kex_settable_ctx_params),
    FN(OSSL_FUNC_KEYEXCH_GET_CTX_PARAMS, kex_get_ctx_params),
    FN(OSSL_FUNC_KEYEXCH_GETTABLE_CTX_PARAMS, kex_gettable_ctx_params),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
