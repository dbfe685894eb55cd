// Encoders of EC keys (registered in provider_main.cc):
//  - a chip key -> key-reference PEM, or its DER body (key_reference.h), for
//    output=pem and output=der with structure=PrivateKeyInfo / type-specific:
//    what PEM_write_bio_PrivateKey and i2d_PrivateKey ask for, so `openssl
//    genpkey -out [-outform DER]` and `openssl pkey -out` write a reference
//    instead of key material (without the DER form, `genpkey -outform DER`
//    failed after the key was made, leaving an object nobody had a reference
//    to). i2d_PrivateKey asks for type-specific DER first; DER PrivateKeyInfo
//    alone is what a PKCS#8 structure is built from (EVP_PKEY2PKCS8: `openssl
//    pkcs8 -topk8`, `openssl pkcs12 -export`): for a chip key that is refused
//    with an error that says why and what to do, instead of a reference that
//    PKCS#8 parsing would reject as ASN.1 garbage. The provider's decoder reads
//    both reference forms back.
//  - any key of this key manager -> SubjectPublicKeyInfo (PEM, DER) and a text
//    dump of its public half (plus where a chip key lives), so that `openssl
//    pkey -pubout` and `-text` work with only this provider loaded.
//  - a software key pair of this key manager (made without an object id)
//    -> what OpenSSL's own encoders write for it (with the cipher and
//    passphrase asked for): OpenSSL 3.0 asks only the key's provider's
//    encoders when that provider has any.
// The private part of a chip key never reaches any encoder: the key manager
// exports only the public half.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/key_reference.h"
#include "provider/provider_errors.h"
#include "wire/openssl_handles.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_encoder_newctx_fn reference_encoder_newctx;
OSSL_FUNC_encoder_freectx_fn reference_encoder_freectx;
OSSL_FUNC_encoder_set_ctx_params_fn encoder_set_ctx_params;
OSSL_FUNC_encoder_settable_ctx_params_fn encoder_settable_ctx_params;
OSSL_FUNC_encoder_does_selection_fn reference_encoder_does_selection;
OSSL_FUNC_encoder_encode_fn reference_encoder_encode_pem;
OSSL_FUNC_encoder_encode_fn reference_encoder_encode_der;
OSSL_FUNC_encoder_encode_fn pkcs8_encoder_refuse;
OSSL_FUNC_encoder_does_selection_fn public_encoder_does_selection;
OSSL_FUNC_encoder_encode_fn spki_encoder_encode_pem;
OSSL_FUNC_encoder_encode_fn spki_encoder_encode_der;
OSSL_FUNC_encoder_encode_fn text_encoder_encode;

// Per operation: the cipher and passphrase a software key pair is encrypted
// with when it is written (genpkey -aes256); a chip key's reference holds no
// secret and is written as it is.
struct EncoderContext {
  explicit EncoderContext(ProviderContext* c) : ctx(c) {}
  ProviderContext* ctx;
  std::string cipher, cipher_properties;
};

void* reference_encoder_newctx(void* provctx) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  return guarded(ctx, static_cast<void*>(nullptr),
                 [&]() -> void* { return std::make_unique<EncoderContext>(ctx).release(); });
}
void reference_encoder_freectx(void* vctx) {
  std::unique_ptr<EncoderContext>(static_cast<EncoderContext*>(vctx));
}

int encoder_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* ec = static_cast<EncoderContext*>(vctx);
  return guarded(ec->ctx, 0, [&] {
    const char* value = nullptr;
    if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_ENCODER_PARAM_CIPHER)) {
      if (!OSSL_PARAM_get_utf8_string_ptr(p, &value)) return 0;
      ec->cipher = value != nullptr ? value : "";
    }
    if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_ENCODER_PARAM_PROPERTIES)) {
      if (!OSSL_PARAM_get_utf8_string_ptr(p, &value)) return 0;
      ec->cipher_properties = value != nullptr ? value : "";
    }
    return 1;
  });
}

const OSSL_PARAM* encoder_settable_ctx_params(void* /*provctx*/) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_utf8_string(OSSL_ENCODER_PARAM_CIPHER, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_ENCODER_PARAM_PROPERTIES, nullptr, 0),
      OSSL_PARAM_END,
  };
  return settable;
}

bool write_out(ProviderContext* ctx, OSSL_CORE_BIO* out, ByteView bytes) {
  size_t written = 0;
  if (ctx->core().bio_write_ex == nullptr ||
      ctx->core().bio_write_ex(out, bytes.data(), bytes.size(), &written) != 1 ||
      written != bytes.size()) {
    raise_error(ctx, kReasonInternal, "cannot write the encoded key to the output");
    return false;
  }
  return true;
}

// A software key pair of this key manager (made without an object id, e.g.
// `openssl genpkey -algorithm EC` under profile B, where OpenSSL asks only
// this provider's encoders): written by OpenSSL's own encoder for the same
// output, in the software library context, with the cipher and passphrase
// the caller gave.
int encode_software_pair(EncoderContext& ec, OSSL_CORE_BIO* out, const EcKey& key, int selection,
                         const char* type, const char* structure, OSSL_PASSPHRASE_CALLBACK* cb,
                         void* cbarg) {
  EVP_PKEY* soft = ec_key_software(key);
  ossl::EncoderCtxPtr enc(
      soft ? OSSL_ENCODER_CTX_new_for_pkey(soft, selection, type, structure, nullptr) : nullptr);
  if (!enc || OSSL_ENCODER_CTX_get_num_encoders(enc.get()) == 0 ||
      (!ec.cipher.empty() &&
       OSSL_ENCODER_CTX_set_cipher(
           enc.get(), ec.cipher.c_str(),
           ec.cipher_properties.empty() ? nullptr : ec.cipher_properties.c_str()) != 1) ||
      (cb != nullptr && OSSL_ENCODER_CTX_set_passphrase_cb(enc.get(), cb, cbarg) != 1)) {
    raise_error(ec.ctx, kReasonInvalidKey, "cannot encode this software EC key as %s%s%s", type,
                structure ? " " : "", structure ? structure : "");
    return 0;
  }
  // The encoding may hold the private scalar: cleared on every way out.
  struct ClearedOutput {
    unsigned char* data = nullptr;
    size_t len = 0;
    ~ClearedOutput() { OPENSSL_clear_free(data, len); }
  } encoded;
  if (OSSL_ENCODER_to_data(enc.get(), &encoded.data, &encoded.len) != 1) return 0;
  return write_out(ec.ctx, out, ByteView(encoded.data, encoded.len)) ? 1 : 0;
}

// Only for the private key: a public key is written as SubjectPublicKeyInfo
// by OpenSSL's own encoders.
int reference_encoder_does_selection(void* /*vctx*/, int selection) {
  return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 ? 1 : 0;
}

enum class Form { Pem, Der };

int encode_reference(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw, int selection, Form form,
                     OSSL_PASSPHRASE_CALLBACK* cb, void* cbarg) {
  auto* ec = static_cast<EncoderContext*>(vctx);
  ProviderContext* ctx = ec->ctx;
  const auto* key = static_cast<const EcKey*>(obj_raw);
  return guarded(ctx, 0, [&] {
    if (key == nullptr || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0) {
      raise_error(ctx, kReasonInvalidArgument,
                  "the key reference encoder writes private keys only");
      return 0;
    }
    if (key->software_private)
      return encode_software_pair(*ec, out, *key, selection, form == Form::Pem ? "PEM" : "DER",
                                  form == Form::Pem ? "PrivateKeyInfo" : "type-specific", cb,
                                  cbarg);
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
    return write_out(ctx, out, bytes) ? 1 : 0;
  });
}

int reference_encoder_encode_pem(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                                 const OSSL_PARAM /*key_abstract*/[], int selection,
                                 OSSL_PASSPHRASE_CALLBACK* cb, void* cbarg) {
  return encode_reference(vctx, out, obj_raw, selection, Form::Pem, cb, cbarg);
}

int reference_encoder_encode_der(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                                 const OSSL_PARAM /*key_abstract*/[], int selection,
                                 OSSL_PASSPHRASE_CALLBACK* cb, void* cbarg) {
  return encode_reference(vctx, out, obj_raw, selection, Form::Der, cb, cbarg);
}

// DER PrivateKeyInfo, asked for only to build a PKCS#8 structure. A software
// key is left to OpenSSL's encoder without an error on the queue.
int pkcs8_encoder_refuse(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                         const OSSL_PARAM /*key_abstract*/[], int selection,
                         OSSL_PASSPHRASE_CALLBACK* cb, void* cbarg) {
  auto* ec = static_cast<EncoderContext*>(vctx);
  ProviderContext* ctx = ec->ctx;
  const auto* key = static_cast<const EcKey*>(obj_raw);
  if (key != nullptr && key->software_private)
    return guarded(ctx, 0, [&] {
      return encode_software_pair(*ec, out, *key, selection, "DER", "PrivateKeyInfo", cb, cbarg);
    });
  if (key == nullptr || !key->on_chip()) return 0;
  raise_error(ctx, kReasonPrivateKeyNotExportable,
              "the key in object 0x%04x is on the MAXQ1061 and its private half never leaves "
              "the chip, so it cannot be written as PKCS#8 (openssl pkcs8 -topk8) or into a "
              "PKCS#12 file (openssl pkcs12 -export); give the key reference file or the "
              "maxq1061: URI wherever a key is needed, and export the certificate alone "
              "(openssl pkcs12 -export -nokeys)",
              *key->object_id);
  return 0;
}

// The public encoders: for public-key selections, and the text dump for a key
// pair too (openssl pkey -text).
int public_encoder_does_selection(void* /*vctx*/, int selection) {
  return selection == 0 || (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0 ? 1 : 0;
}

enum class SpkiForm { Pem, Der };

int encode_spki(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw, int selection, SpkiForm form) {
  ProviderContext* ctx = static_cast<EncoderContext*>(vctx)->ctx;
  const auto* key = static_cast<const EcKey*>(obj_raw);
  // A private-key selection is for PrivateKeyInfo encoders, not this one.
  if (key == nullptr || (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) == 0) return 0;
  return guarded(ctx, 0, [&] {
    EVP_PKEY* soft = ec_key_software(*key);
    ossl::BioPtr mem(BIO_new(BIO_s_mem()));
    if (soft == nullptr || !mem ||
        (form == SpkiForm::Pem ? PEM_write_bio_PUBKEY(mem.get(), soft)
                               : i2d_PUBKEY_bio(mem.get(), soft)) != 1) {
      raise_error(ctx, kReasonInvalidKey, "cannot encode the public key of this EC key");
      return 0;
    }
    char* data = nullptr;
    long n = BIO_get_mem_data(mem.get(), &data);
    return write_out(ctx, out,
                     ByteView(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(n)))
               ? 1
               : 0;
  });
}

int spki_encoder_encode_pem(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                            const OSSL_PARAM /*key_abstract*/[], int selection,
                            OSSL_PASSPHRASE_CALLBACK* /*cb*/, void* /*cbarg*/) {
  return encode_spki(vctx, out, obj_raw, selection, SpkiForm::Pem);
}

int spki_encoder_encode_der(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                            const OSSL_PARAM /*key_abstract*/[], int selection,
                            OSSL_PASSPHRASE_CALLBACK* /*cb*/, void* /*cbarg*/) {
  return encode_spki(vctx, out, obj_raw, selection, SpkiForm::Der);
}

// The public half as OpenSSL prints it, and for a chip key where its secret
// half is. A software key pair is printed by OpenSSL's own text encoder.
int text_encoder_encode(void* vctx, OSSL_CORE_BIO* out, const void* obj_raw,
                        const OSSL_PARAM /*key_abstract*/[], int selection,
                        OSSL_PASSPHRASE_CALLBACK* cb, void* cbarg) {
  auto* ec = static_cast<EncoderContext*>(vctx);
  ProviderContext* ctx = ec->ctx;
  const auto* key = static_cast<const EcKey*>(obj_raw);
  if (key == nullptr || !key->curve || key->public_point.empty()) return 0;
  return guarded(ctx, 0, [&] {
    if (key->software_private)
      return encode_software_pair(*ec, out, *key, selection, "TEXT", nullptr, cb, cbarg);
    EVP_PKEY* soft = ec_key_software(*key);
    ossl::BioPtr mem(BIO_new(BIO_s_mem()));
    if (soft == nullptr || !mem || EVP_PKEY_print_public(mem.get(), soft, 0, nullptr) != 1) {
      raise_error(ctx, kReasonInvalidKey, "cannot print the public key of this EC key");
      return 0;
    }
    if (key->on_chip())
      BIO_printf(mem.get(),
                 "MAXQ1061 %s key: object 0x%04x on the chip with serial %s; its secret half "
                 "never leaves the chip\n",
                 key->temporary ? "ephemeral" : "persistent", *key->object_id,
                 to_hex(ByteView(key->serial)).c_str());
    char* data = nullptr;
    long n = BIO_get_mem_data(mem.get(), &data);
    return write_out(ctx, out,
                     ByteView(reinterpret_cast<const uint8_t*>(data), static_cast<size_t>(n)))
               ? 1
               : 0;
  });
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH key_reference_encoder_pem_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_SET_CTX_PARAMS, encoder_set_ctx_params),
    FN(OSSL_FUNC_ENCODER_SETTABLE_CTX_PARAMS, encoder_settable_ctx_params),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, reference_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, reference_encoder_encode_pem),
    {0, nullptr},
};
const OSSL_DISPATCH key_reference_encoder_der_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_SET_CTX_PARAMS, encoder_set_ctx_params),
    FN(OSSL_FUNC_ENCODER_SETTABLE_CTX_PARAMS, encoder_settable_ctx_params),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, reference_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, reference_encoder_encode_der),
    {0, nullptr},
};
const OSSL_DISPATCH pkcs8_refusal_encoder_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_SET_CTX_PARAMS, encoder_set_ctx_params),
    FN(OSSL_FUNC_ENCODER_SETTABLE_CTX_PARAMS, encoder_settable_ctx_params),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, reference_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, pkcs8_encoder_refuse),
    {0, nullptr},
};
const OSSL_DISPATCH spki_encoder_pem_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_SET_CTX_PARAMS, encoder_set_ctx_params),
    FN(OSSL_FUNC_ENCODER_SETTABLE_CTX_PARAMS, encoder_settable_ctx_params),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, public_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, spki_encoder_encode_pem),
    {0, nullptr},
};
const OSSL_DISPATCH spki_encoder_der_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_SET_CTX_PARAMS, encoder_set_ctx_params),
    FN(OSSL_FUNC_ENCODER_SETTABLE_CTX_PARAMS, encoder_settable_ctx_params),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, public_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, spki_encoder_encode_der),
    {0, nullptr},
};
const OSSL_DISPATCH text_encoder_functions[] = {
    FN(OSSL_FUNC_ENCODER_NEWCTX, reference_encoder_newctx),
    FN(OSSL_FUNC_ENCODER_FREECTX, reference_encoder_freectx),
    FN(OSSL_FUNC_ENCODER_SET_CTX_PARAMS, encoder_set_ctx_params),
    FN(OSSL_FUNC_ENCODER_SETTABLE_CTX_PARAMS, encoder_settable_ctx_params),
    FN(OSSL_FUNC_ENCODER_DOES_SELECTION, public_encoder_does_selection),
    FN(OSSL_FUNC_ENCODER_ENCODE, text_encoder_encode),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
