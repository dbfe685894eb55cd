// Encoder: a key on the chip -> key-reference PEM. Registered for the private
// key structures that `openssl genpkey/pkey -out` ask for, so they write a
// reference instead of key material; anything else is refused.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/key_reference.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_encoder_newctx_fn enc_newctx;
OSSL_FUNC_encoder_freectx_fn enc_freectx;
OSSL_FUNC_encoder_does_selection_fn enc_does_selection;
OSSL_FUNC_encoder_encode_fn enc_encode;

void* enc_newctx(void* provctx) { return provctx; }
void enc_freectx(void*) {}

int enc_does_selection(void*, int selection) {
  return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) ? 1 : 0;
}

int enc_encode(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw, const OSSL_PARAM[], int selection,
               OSSL_PASSPHRASE_CALLBACK*, void*) {
  auto* ctx = static_cast<ProviderContext*>(vctx);
  const auto* key = static_cast<const EcKey*>(obj_raw);
  if (!key || !(selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)) return 0;
  if (!key->on_chip()) {
    raise_error(ctx, kReasonInvalidKey, "only keys on the MAXQ1061 are written as key references");
    return 0;
  }
  if (key->temporary) {
    raise_error(ctx, kReasonInvalidKey,
                "this key lives in a temporary chip slot and disappears with the process; generate "
                "a persistent key with -pkeyopt id:0x0101 (or id:auto)");
    return 0;
  }
  KeyReference ref;
  ref.serial = key->serial;
  ref.object_id = *key->object_id;
  ref.curve = *key->curve;
  ref.public_point = key->public_point;
  std::string pem = encode_key_reference_pem(ref);
  size_t written = 0;
  if (!ctx->core().bio_write_ex || !ctx->core().bio_write_ex(out, pem.data(), pem.size(), &written) ||
      written != pem.size())
    return 0;
  return 1;
}

}  // namespace

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH key_reference_encoder_pem_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, enc_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, enc_freectx),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, enc_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, enc_encode),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
