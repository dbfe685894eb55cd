// Encoders: an EC key on the chip -> key-reference PEM, or its DER body
// (key_reference.h). Registered (provider_main.cc) for output=pem and
// output=der with structure=PrivateKeyInfo, the structure
// PEM_write_bio_PrivateKey and i2d_PrivateKey ask for, which is what
// `openssl genpkey -out [-outform DER]` and `openssl pkey -out` use: they
// write a reference instead of key material (without the DER form, `genpkey
// -outform DER` failed after the key was made, leaving an object nobody had a
// reference to); DER also for structure=type-specific, which i2d_PrivateKey
// asks for first. The provider's decoder reads both forms back. Keys that are
// not persistent chip keys are refused here; their private part never reaches
// any encoder because the key manager does not export it.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <string>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/key_reference.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_encoder_newctx_fn reference_encoder_newctx;
OSSL_FUNC_encoder_freectx_fn reference_encoder_freectx;
OSSL_FUNC_encoder_does_selection_fn reference_encoder_does_selection;
OSSL_FUNC_encoder_encode_fn reference_encoder_encode_pem;
OSSL_FUNC_encoder_encode_fn reference_encoder_encode_der;

// No per-operation state: the context is the provider context.
void* reference_encoder_newctx(void* provctx) {
  return provctx;
}
void reference_encoder_freectx(void* /*vctx*/) {}

// Only for the private key: a public key is written as SubjectPublicKeyInfo
// by OpenSSL's own encoders.
int reference_encoder_does_selection(void* /*vctx*/, int selection) {
  return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 ? 1 : 0;
}

enum class Form { Pem, Der };

int encode_reference(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw, int selection,
                     Form form) {
  auto* ctx = static_cast<ProviderContext*>(vctx);
  const auto* key = static_cast<const EcKey*>(obj_raw);
  return guarded(ctx, 0, [&] {
    if (key == nullptr || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0) {
      raise_error(ctx, kReasonInvalidArgument,
                  "the key reference encoder writes private keys only");
      return 0;
    }
    if (!key->on_chip()) {
      raise_error(ctx, kReasonInvalidKey,
                  "this EC key is not on the MAXQ1061, so there is no key reference to write");
      return 0;
    }
    if (key->temporary) {
      raise_error(ctx, kReasonEphemeralKey,
                  "this key lives in a temporary chip slot that is gone when the process ends; "
                  "generate a persistent key with -pkeyopt id:0x0101 (or id:auto) to save it");
      return 0;
    }
    if (!key->curve || key->public_point.empty()) {
      raise_error(ctx, kReasonInvalidKey, "the chip key has no public point to write");
      return 0;
    }
    KeyReference ref;
    ref.serial = key->serial;
    ref.object_id = *key->object_id;
    ref.curve = *key->curve;
    ref.public_point = key->public_point;
    Bytes der;
    std::string pem;
    ByteView bytes;
    if (form == Form::Pem) {
      pem = encode_key_reference_pem(ref);
      bytes = ByteView(reinterpret_cast<const uint8_t*>(pem.data()), pem.size());
    } else {
      der = encode_key_reference_body(ref);
      bytes = ByteView(der);
    }
    size_t written = 0;
    if (ctx->core().bio_write_ex == nullptr ||
        ctx->core().bio_write_ex(out, bytes.data(), bytes.size(), &written) != 1 ||
        written != bytes.size()) {
      raise_error(ctx, kReasonInternal, "cannot write the key reference to the output");
      return 0;
    }
    return 1;
  });
}

int reference_encoder_encode_pem(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                                 const OSSL_PARAM /*key_abstract*/[], int selection,
                                 OSSL_PASSPHRASE_CALLBACK* /*cb*/, void* /*cbarg*/) {
  return encode_reference(vctx, out, obj_raw, selection, Form::Pem);
}

int reference_encoder_encode_der(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                                 const OSSL_PARAM /*key_abstract*/[], int selection,
                                 OSSL_PASSPHRASE_CALLBACK* /*cb*/, void* /*cbarg*/) {
  return encode_reference(vctx, out, obj_raw, selection, Form::Der);
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH key_reference_encoder_pem_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, reference_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, reference_encoder_encode_pem),
    {0, nullptr},
};
const OSSL_DISPATCH key_reference_encoder_der_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, reference_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, reference_encoder_encode_der),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
