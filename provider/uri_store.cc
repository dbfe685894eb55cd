// STORE for maxq1061: URIs: a key pair by object id (public point read once,
// private half stays on the chip) or a certificate stored in a chip object.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/maxq_uri.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_store_open_fn store_open;
OSSL_FUNC_store_settable_ctx_params_fn store_settable_ctx_params;
OSSL_FUNC_store_set_ctx_params_fn store_set_ctx_params;
OSSL_FUNC_store_load_fn store_load;
OSSL_FUNC_store_eof_fn store_eof;
OSSL_FUNC_store_close_fn store_close;

struct StoreContext {
  ProviderContext* ctx;
  MaxqUri uri;
  bool done = false;
};

void* store_open(void* provctx, const char* uri) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  std::string error;
  auto parsed = parse_maxq_uri(uri, error);
  if (!parsed) {
    raise_error(ctx, kReasonBadUri, "%s: %s; use %s", uri, error.c_str(), kUriForm);
    return nullptr;
  }
  auto s = std::make_unique<StoreContext>();
  s->ctx = ctx;
  s->uri = *parsed;
  return s.release();
}

const OSSL_PARAM* store_settable_ctx_params(void*) {
  static const OSSL_PARAM p[] = {OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, nullptr), OSSL_PARAM_END};
  return p;
}

int store_set_ctx_params(void*, const OSSL_PARAM[]) { return 1; }

Bytes read_all(transport::Device& dev, uint16_t id) {
  Bytes out;
  for (;;) {
    Bytes part;
    try {
      part = dev.read_object(id, static_cast<uint16_t>(out.size()), 0);
    } catch (const transport::ChipError& e) {
      // Reading exactly at the end of the content is out of bounds: done.
      if (!out.empty() && e.status() == static_cast<uint16_t>(wire::Status::OutOfBounds)) break;
      throw;
    }
    out.insert(out.end(), part.begin(), part.end());
    if (part.size() < wire::kMaxPayload) break;
  }
  return out;
}

int load_key(StoreContext* s, OSSL_CALLBACK* cb, void* cbarg) {
  transport::Device& dev = s->ctx->device();
  transport::PublicKey pub = dev.read_public(s->uri.id);
  auto key = std::make_unique<EcKey>(s->ctx);
  key->curve = wire::curve_info(static_cast<uint8_t>(pub.curve));
  key->object_id = s->uri.id;
  key->serial = s->ctx->chip_serial();
  key->public_point = Bytes{0x04};
  key->public_point.insert(key->public_point.end(), pub.xy.begin(), pub.xy.end());
  if (!ec_key_refresh_software(*key)) throw transport::ProtocolError("the chip returned an invalid public key");
  EcKey* ref = key.get();
  int type = OSSL_OBJECT_PKEY;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type),
      OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>("EC"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &ref, sizeof ref),
      OSSL_PARAM_construct_end(),
  };
  int ok = cb(params, cbarg);
  if (!ref) (void)key.release();  // keymgmt load took it
  return ok;
}

int load_cert(StoreContext* s, OSSL_CALLBACK* cb, void* cbarg) {
  Bytes der = read_all(s->ctx->device(), s->uri.id);
  int type = OSSL_OBJECT_CERT;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type),
      OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, der.data(), der.size()),
      OSSL_PARAM_construct_end(),
  };
  return cb(params, cbarg);
}

int store_load(void* vctx, OSSL_CALLBACK* cb, void* cbarg, OSSL_PASSPHRASE_CALLBACK*, void*) {
  auto* s = static_cast<StoreContext*>(vctx);
  s->done = true;
  try {
    return s->uri.type == MaxqUri::Type::Cert ? load_cert(s, cb, cbarg) : load_key(s, cb, cbarg);
  } catch (const std::exception& e) {
    raise_exception(s->ctx, e);
    return 0;
  }
}

int store_eof(void* vctx) { return static_cast<StoreContext*>(vctx)->done ? 1 : 0; }

int store_close(void* vctx) {
  std::unique_ptr<StoreContext>(static_cast<StoreContext*>(vctx));
  return 1;
}

}  // namespace

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH uri_store_functions[] = {
    FN(OSSL_FUNC_STORE_OPEN, store_open),
    FN(OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, store_settable_ctx_params),
    FN(OSSL_FUNC_STORE_SET_CTX_PARAMS, store_set_ctx_params),
    FN(OSSL_FUNC_STORE_LOAD, store_load),
    FN(OSSL_FUNC_STORE_EOF, store_eof),
    FN(OSSL_FUNC_STORE_CLOSE, store_close),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
