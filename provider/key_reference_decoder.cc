// Decoders of the key reference, in two steps like OpenSSL's own chain:
//  1. PEM "MAXQ1061 KEY REFERENCE" -> DER with structure "maxq1061-key-reference"
//     (OpenSSL's PEM decoder does not pass unknown labels on);
//  2. that DER -> an EC key on the chip, handed over by reference.
// Input that is not ours is left for the other decoders. No device I/O: the
// point comes from the file. A reference for
// another chip loads (its public half is in the file) but every private
// operation refuses it, naming both chips.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/key_reference.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_decoder_newctx_fn dec_newctx;
OSSL_FUNC_decoder_freectx_fn dec_freectx;
OSSL_FUNC_decoder_does_selection_fn dec_does_selection;
OSSL_FUNC_decoder_decode_fn dec_decode;
OSSL_FUNC_decoder_decode_fn pem_decode;

constexpr const char* kStructure = "maxq1061-key-reference";

constexpr size_t kMaxFile = 64 * 1024;  // a reference is a few hundred bytes

void* dec_newctx(void* provctx) { return provctx; }
void dec_freectx(void*) {}

int dec_does_selection(void*, int selection) {
  return (selection == 0 || (selection & OSSL_KEYMGMT_SELECT_KEYPAIR)) ? 1 : 0;
}


Bytes read_all(ProviderContext* ctx, OSSL_CORE_BIO* in) {
  Bytes data;
  uint8_t buf[1024];
  size_t n = 0;
  while (data.size() < kMaxFile && ctx->core().bio_read_ex(in, buf, sizeof buf, &n) && n > 0)
    data.insert(data.end(), buf, buf + n);
  return data;
}

int pem_decode(void* vctx, OSSL_CORE_BIO* in, int, OSSL_CALLBACK* cb, void* cbarg, OSSL_PASSPHRASE_CALLBACK*,
               void*) {
  auto* ctx = static_cast<ProviderContext*>(vctx);
  if (!ctx->core().bio_read_ex) return 1;
  Bytes data = read_all(ctx, in);
  std::optional<Bytes> der;
  try {
    der = key_reference_pem_body(std::string(data.begin(), data.end()));
  } catch (const std::exception& e) {
    raise_error(ctx, kReasonBadKeyReference, "%s", e.what());
    return 0;
  }
  if (!der) return 1;  // not ours
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, der->data(), der->size()),
      OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_STRUCTURE, const_cast<char*>(kStructure), 0),
      OSSL_PARAM_construct_end(),
  };
  return cb(params, cbarg);
}

int dec_decode(void* vctx, OSSL_CORE_BIO* in, int, OSSL_CALLBACK* cb, void* cbarg, OSSL_PASSPHRASE_CALLBACK*,
               void*) {
  auto* ctx = static_cast<ProviderContext*>(vctx);
  if (!ctx->core().bio_read_ex) return 1;
  Bytes data = read_all(ctx, in);
  std::optional<KeyReference> ref;
  try {
    ref = decode_key_reference_body(data);
  } catch (const std::exception& e) {
    raise_error(ctx, kReasonBadKeyReference, "%s", e.what());
    return 0;
  }
  if (!ref) return 1;  // not ours: let the other decoders try
  try {
    auto key = std::make_unique<EcKey>(ctx);
    key->curve = ref->curve;
    key->object_id = ref->object_id;
    key->serial = ref->serial;
    key->public_point = std::move(ref->public_point);
    if (!ec_key_refresh_software(*key)) {
      raise_error(ctx, kReasonBadKeyReference, "the key reference holds an invalid public point");
      return 0;
    }
    EcKey* handle = key.get();
    int type = OSSL_OBJECT_PKEY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type),
        OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>("EC"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &handle, sizeof handle),
        OSSL_PARAM_construct_end(),
    };
    int ok = cb(params, cbarg);
    if (!handle) (void)key.release();  // keymgmt load took it
    return ok;
  } catch (const std::exception& e) {
    raise_exception(ctx, e);
    return 0;
  }
}

}  // namespace

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH key_reference_decoder_functions[] = {
    FN(OSSL_FUNC_DECODER_NEWCTX, dec_newctx),
    FN(OSSL_FUNC_DECODER_FREECTX, dec_freectx),
    FN(OSSL_FUNC_DECODER_DOES_SELECTION, dec_does_selection),
    FN(OSSL_FUNC_DECODER_DECODE, dec_decode),
    {0, nullptr},
};
const OSSL_DISPATCH key_reference_pem_decoder_functions[] = {
    FN(OSSL_FUNC_DECODER_NEWCTX, dec_newctx),
    FN(OSSL_FUNC_DECODER_FREECTX, dec_freectx),
    FN(OSSL_FUNC_DECODER_DECODE, pem_decode),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
