// Decoders of the key-reference file, in two steps like OpenSSL's own chain
// (registered in provider_main.cc):
//  1. "DER" input=pem: PEM "MAXQ1061 KEY REFERENCE" -> its DER body with the
//     data structure "maxq1061-key-reference" (OpenSSL 3.0's PEM decoder drops
//     labels it does not know, so the provider reads its own label);
//  2. "MAXQ1061-KEY-REFERENCE" input=der structure=maxq1061-key-reference:
//     DER body -> an EC key whose private half is the named chip object,
//     handed over by reference (data type "EC": the EC key manager loads it).
//
// Why step 2 is not named "EC": OpenSSL 3.0 builds a decoder chain for every
// key it decodes, with an instance of every decoder named after the key type
// and then every decoder that feeds those (OSSL_DECODER_CTX_add_extra). A
// decoder named "EC" was instantiated, and its feeders searched, for every
// certificate a process with the provider loaded parses: in a TLS handshake
// about 1% of the CPU time (bench/README.md). Under its own name it is only in
// the chains that ask for any key type (PEM_read_PrivateKey, OSSL_STORE), the
// ones that can meet a reference file. OpenSSL takes a decoder only if a key
// manager has its name, hence the key manager below that holds no keys.
// The same step is registered as "EC" too, for callers that name the key type
// (d2i_PrivateKey(EVP_PKEY_EC), SSL_CTX_use_PrivateKey_ASN1), but only for a
// selection with the private key: a certificate's key is decoded public-only,
// and OpenSSL asks does_selection before it instantiates a decoder.
// Input that is not a key reference is left to the other decoders (return 1
// without a callback); a reference that is damaged is an error.
//
// Loading does no device I/O: the point comes from the file. The serial is
// carried into the key and checked against the configured chip when the
// private key is used (ec_key_on_configured_chip), so the public half of a
// reference for another chip stays readable (`openssl pkey -pubout`).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/key_reference.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_decoder_newctx_fn reference_decoder_newctx;
OSSL_FUNC_decoder_freectx_fn reference_decoder_freectx;
OSSL_FUNC_decoder_does_selection_fn reference_decoder_does_selection;
OSSL_FUNC_decoder_does_selection_fn reference_decoder_does_private_selection;
OSSL_FUNC_decoder_decode_fn reference_pem_decode;
OSSL_FUNC_decoder_decode_fn reference_der_decode;

constexpr const char* kStructure = "maxq1061-key-reference";
// Text before the first PEM block that is read at most (PEM readers skip such
// text); a file with more is not taken for a reference.
constexpr size_t kMaxPemInput = 1 << 20;

void* reference_decoder_newctx(void* provctx) {
  return provctx;
}
void reference_decoder_freectx(void* /*vctx*/) {}

// A reference gives a key pair (or its public half); it has no domain
// parameters of its own to offer.
int reference_decoder_does_selection(void* /*vctx*/, int selection) {
  return selection == 0 || (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0 ? 1 : 0;
}
// The "EC" registration: private keys only (see the top of the file).
int reference_decoder_does_private_selection(void* /*vctx*/, int selection) {
  return selection == 0 || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 ? 1 : 0;
}

// Reads `in` in pieces until `enough` says so, EOF, or `limit` bytes.
template <typename Enough>
std::string read_input(const ProviderContext* ctx, OSSL_CORE_BIO* in, size_t limit,
                       Enough&& enough) {
  std::string data;
  char buf[1024];
  size_t n = 0;
  while (data.size() < limit &&
         ctx->core().bio_read_ex(in, buf, std::min(sizeof buf, limit - data.size()), &n) == 1 &&
         n > 0) {
    data.append(buf, n);
    if (enough(data)) break;
  }
  return data;
}

// The key the reference names, with its point checked against its curve.
// Throws BadKeyReference.
std::unique_ptr<EcKey> key_from_reference(ProviderContext* ctx, KeyReference ref) {
  auto key = std::make_unique<EcKey>(ctx);
  key->curve = ref.curve;
  key->object_id = ref.object_id;
  key->serial = ref.serial;
  key->public_point = std::move(ref.public_point);
  if (!ec_key_check_public(*key)) {
    char msg[128];
    std::snprintf(msg, sizeof msg,
                  "the key reference for object 0x%04x holds a public point that is not on %s",
                  ref.object_id, std::string(ref.curve.sn).c_str());
    throw BadKeyReference(msg);
  }
  return key;
}

// Errors of the PEM step reach the user; OpenSSL 3.0's decoder chain drops
// those of later steps. So a file that carries our label is checked whole
// here (body, version, point), and the DER step only repeats the parse.
int reference_pem_decode(void* vctx, OSSL_CORE_BIO* in, int /*selection*/, OSSL_CALLBACK* cb,
                         void* cbarg, OSSL_PASSPHRASE_CALLBACK* /*pw_cb*/, void* /*pw_cbarg*/) {
  auto* ctx = static_cast<ProviderContext*>(vctx);
  return guarded(ctx, 0, [&] {
    if (ctx->core().bio_read_ex == nullptr) return 1;
    // Only as far as the first PEM block: OpenSSL hands the rest of the
    // stream (the next block of a combined file) to a later call.
    // The scan is incremental: linear in the bytes read (an untrusted file of
    // a megabyte without any block costs one pass, not one per piece read).
    std::string text = read_first_pem_block(
        [&](char* buf, size_t n) {
          size_t got = 0;
          return ctx->core().bio_read_ex(in, buf, n, &got) == 1 ? got : 0;
        },
        kMaxPemInput);
    std::optional<Bytes> der;
    try {
      der = key_reference_pem_body(text);
      if (!der) return 1;  // no key-reference block: not ours
      auto ref = decode_key_reference_body(*der);
      if (!ref)
        throw BadKeyReference("the MAXQ1061 KEY REFERENCE block does not hold a key reference");
      key_from_reference(ctx, std::move(*ref));
    } catch (const BadKeyReference& e) {
      raise_error(ctx, kReasonBadKeyReference, "%s", e.what());
      return 0;
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, der->data(), der->size()),
        OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_STRUCTURE,
                                         const_cast<char*>(kStructure), 0),
        OSSL_PARAM_construct_end(),
    };
    return cb(params, cbarg);
  });
}

int reference_der_decode(void* vctx, OSSL_CORE_BIO* in, int selection, OSSL_CALLBACK* cb,
                         void* cbarg, OSSL_PASSPHRASE_CALLBACK* /*pw_cb*/, void* /*pw_cbarg*/) {
  auto* ctx = static_cast<ProviderContext*>(vctx);
  return guarded(ctx, 0, [&] {
    if (ctx->core().bio_read_ex == nullptr) return 1;
    // One byte over the limit tells an over-long reference from a full one.
    std::string data =
        read_input(ctx, in, kMaxKeyReferenceBody + 1, [](const std::string&) { return false; });
    std::optional<KeyReference> ref;
    try {
      ref = decode_key_reference_body(ByteView(data));
    } catch (const BadKeyReference& e) {
      raise_error(ctx, kReasonBadKeyReference, "%s", e.what());
      return 0;
    }
    if (!ref) return 1;  // not a key reference: let the other decoders try
    std::unique_ptr<EcKey> key;
    try {
      key = key_from_reference(ctx, std::move(*ref));
    } catch (const BadKeyReference& e) {
      raise_error(ctx, kReasonBadKeyReference, "%s", e.what());
      return 0;
    }
    // Asked for the public key only (PEM_read_PUBKEY, `pkey -pubin`): give
    // just that, so it is not mistaken for (and filtered out as) a private key.
    if (selection != 0 && (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0) {
      key->object_id.reset();
      key->serial = ChipSerial{};
    }
    // Reference protocol of ec_key.h: the key manager's load() moves the
    // pointer out of `handle`; whatever is left is freed here.
    EcKey* handle = key.get();
    int object_type = OSSL_OBJECT_PKEY;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
        OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>("EC"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &handle, sizeof handle),
        OSSL_PARAM_construct_end(),
    };
    int ok = cb(params, cbarg);
    if (handle == nullptr) (void)key.release();  // the key manager owns it now
    return ok;
  });
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH key_reference_pem_decoder_functions[] = {
    FN(OSSL_FUNC_DECODER_NEWCTX, reference_decoder_newctx),
    FN(OSSL_FUNC_DECODER_FREECTX, reference_decoder_freectx),
    FN(OSSL_FUNC_DECODER_DECODE, reference_pem_decode),
    {0, nullptr},
};
const OSSL_DISPATCH key_reference_decoder_functions[] = {
    FN(OSSL_FUNC_DECODER_NEWCTX, reference_decoder_newctx),
    FN(OSSL_FUNC_DECODER_FREECTX, reference_decoder_freectx),
    FN(OSSL_FUNC_DECODER_DOES_SELECTION, reference_decoder_does_selection),
    FN(OSSL_FUNC_DECODER_DECODE, reference_der_decode),
    {0, nullptr},
};
const OSSL_DISPATCH key_reference_private_decoder_functions[] = {
    FN(OSSL_FUNC_DECODER_NEWCTX, reference_decoder_newctx),
    FN(OSSL_FUNC_DECODER_FREECTX, reference_decoder_freectx),
    FN(OSSL_FUNC_DECODER_DOES_SELECTION, reference_decoder_does_private_selection),
    FN(OSSL_FUNC_DECODER_DECODE, reference_der_decode),
    {0, nullptr},
};

namespace {

OSSL_FUNC_keymgmt_new_fn name_keymgmt_new;
OSSL_FUNC_keymgmt_free_fn name_keymgmt_free;
OSSL_FUNC_keymgmt_has_fn name_keymgmt_has;

// OpenSSL requires a constructor, a destructor and has(); there is never a
// key of this type, the references decode to EC keys.
void* name_keymgmt_new(void* /*provctx*/) {
  return nullptr;
}
void name_keymgmt_free(void* /*keydata*/) {}
int name_keymgmt_has(const void* /*keydata*/, int /*selection*/) {
  return 0;
}

}  // namespace

const OSSL_DISPATCH key_reference_name_keymgmt_functions[] = {
    FN(OSSL_FUNC_KEYMGMT_NEW, name_keymgmt_new),
    FN(OSSL_FUNC_KEYMGMT_FREE, name_keymgmt_free),
    FN(OSSL_FUNC_KEYMGMT_HAS, name_keymgmt_has),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
