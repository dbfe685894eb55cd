// Entry point of maxq1061.so: configuration, algorithm tables, provider
// parameters, capabilities and reason strings. Loading the provider does no
// device I/O: the device is opened by the first operation that needs it.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <cstdarg>
#include <memory>

#include "provider/algorithms.h"
#include "provider/provider_config.h"
#include "provider/provider_context.h"
#include "provider/provider_errors.h"
#include "provider/tls_group_capabilities.h"
#include "transport/device_spec.h"

#ifndef MAXQ_PROVIDER_VERSION
#define MAXQ_PROVIDER_VERSION "0.0.0"
#endif

namespace maxq::provider {
namespace {

OSSL_FUNC_provider_gettable_params_fn provider_gettable_params;
OSSL_FUNC_provider_get_params_fn provider_get_params;
OSSL_FUNC_provider_query_operation_fn provider_query_operation;
OSSL_FUNC_provider_get_capabilities_fn provider_get_capabilities;
OSSL_FUNC_provider_get_reason_strings_fn provider_get_reason_strings;
OSSL_FUNC_provider_teardown_fn provider_teardown;

#define PROPS "provider=maxq1061"
#define END_OF_TABLE \
  { nullptr, nullptr, nullptr, nullptr }

const OSSL_ALGORITHM kKeymgmt[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", PROPS, ec_keymgmt_functions,
     "EC keys with the private half on the MAXQ1061"},
    // Only a name for the key-reference decoder (see key_reference_decoder.cc).
    {kKeyReferenceName, PROPS, key_reference_name_keymgmt_functions,
     "names the MAXQ1061 key-reference decoder; holds no keys"},
    END_OF_TABLE};
// Each also under a name of its own (not an alias: aliases are shared by all
// providers), the one the key manager names (ec_keymgmt.cc).
const OSSL_ALGORITHM kSignature[] = {
    {"ECDSA", PROPS, ecdsa_signature_functions, "ECDSA signed by the MAXQ1061"},
    {kEcdsaOperationName, PROPS, ecdsa_signature_functions,
     "ECDSA signed by the MAXQ1061 (for keys of its key manager)"},
    END_OF_TABLE};
const OSSL_ALGORITHM kKeyexch[] = {
    {"ECDH", PROPS, ecdh_keyexch_functions, "ECDH computed by the MAXQ1061"},
    {kEcdhOperationName, PROPS, ecdh_keyexch_functions,
     "ECDH computed by the MAXQ1061 (for keys of its key manager)"},
    END_OF_TABLE};
// Never named CTR-DRBG: the chip seeds OpenSSL's DRBGs, it does not replace them.
const OSSL_ALGORITHM kRand[] = {
    {"MAXQ1061-TRNG", PROPS, trng_rand_functions, "the MAXQ1061's true random number generator"},
    END_OF_TABLE};
const OSSL_ALGORITHM kStore[] = {
    {"maxq1061", PROPS, uri_store_functions, "objects on the MAXQ1061 by maxq1061: URI"},
    END_OF_TABLE};
const OSSL_ALGORITHM kEncoder[] = {
    {"EC", PROPS ",output=pem,structure=PrivateKeyInfo", key_reference_encoder_pem_functions,
     "MAXQ1061 key reference (PEM)"},
    // DER PrivateKeyInfo is what PKCS#8 and PKCS#12 are built from: refused for
    // a chip key with the reason (key_reference_encoder.cc).
    {"EC", PROPS ",output=der,structure=PrivateKeyInfo", pkcs8_refusal_encoder_functions,
     "refuses PKCS#8 for MAXQ1061 keys"},
    // i2d_PrivateKey asks for type-specific DER first: answered here, OpenSSL
    // does not try the default provider's encoder, whose attempt to encode the
    // (not exported) private key would leave an error on the queue of a call
    // that succeeds.
    {"EC", PROPS ",output=der,structure=type-specific", key_reference_encoder_der_functions,
     "MAXQ1061 key reference (DER, for i2d_PrivateKey)"},
    // The public half, and a text dump: with only this provider loaded too.
    {"EC", PROPS ",output=pem,structure=SubjectPublicKeyInfo", spki_encoder_pem_functions,
     "EC public key (PEM)"},
    {"EC", PROPS ",output=der,structure=SubjectPublicKeyInfo", spki_encoder_der_functions,
     "EC public key (DER)"},
    {"EC", PROPS ",output=text", text_encoder_functions, "EC public key and chip location (text)"},
    END_OF_TABLE};
const OSSL_ALGORITHM kDecoder[] = {
    {"DER", PROPS ",input=pem", key_reference_pem_decoder_functions,
     "MAXQ1061 key reference (PEM to DER)"},
    {kKeyReferenceName, PROPS ",input=der,structure=maxq1061-key-reference",
     key_reference_decoder_functions, "MAXQ1061 key reference"},
    {"EC", PROPS ",input=der,structure=maxq1061-key-reference",
     key_reference_private_decoder_functions, "MAXQ1061 key reference (as an EC private key)"},
    END_OF_TABLE};

const OSSL_PARAM* provider_gettable_params(void*) {
  static const OSSL_PARAM gettable[] = {
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, nullptr, 0),
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, nullptr, 0),
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, nullptr, 0),
      OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, nullptr),
      OSSL_PARAM_END,
  };
  return gettable;
}

int provider_get_params(void*, OSSL_PARAM params[]) {
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) &&
      !OSSL_PARAM_set_utf8_ptr(p, "MAXQ1061 provider"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) &&
      !OSSL_PARAM_set_utf8_ptr(p, MAXQ_PROVIDER_VERSION))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) &&
      !OSSL_PARAM_set_utf8_ptr(p, "maxq1061-provider " MAXQ_PROVIDER_VERSION))
    return 0;
  // Always active: a missing device is reported by the operation that needs it.
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) && !OSSL_PARAM_set_int(p, 1))
    return 0;
  return 1;
}

const OSSL_ALGORITHM* provider_query_operation(void*, int operation_id, int* no_cache) {
  *no_cache = 0;
  switch (operation_id) {
    case OSSL_OP_KEYMGMT:
      return kKeymgmt;
    case OSSL_OP_SIGNATURE:
      return kSignature;
    case OSSL_OP_KEYEXCH:
      return kKeyexch;
    case OSSL_OP_RAND:
      return kRand;
    case OSSL_OP_STORE:
      return kStore;
    case OSSL_OP_ENCODER:
      return kEncoder;
    case OSSL_OP_DECODER:
      return kDecoder;
    default:
      return nullptr;
  }
}

int provider_get_capabilities(void* provctx, const char* capability, OSSL_CALLBACK* cb, void* arg) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  try {
    return tls_group_capabilities(ctx->software_libctx(), capability, cb, arg);
  } catch (const std::exception&) {
    return 0;  // no software context: OpenSSL says no group is available
  }
}

const OSSL_ITEM* provider_get_reason_strings(void*) {
  return reason_strings();
}

void provider_teardown(void* provctx) {
  std::unique_ptr<ProviderContext>(static_cast<ProviderContext*>(provctx));
}

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH kProviderFunctions[] = {
    FN(OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, provider_gettable_params),
    FN(OSSL_FUNC_PROVIDER_GET_PARAMS, provider_get_params),
    FN(OSSL_FUNC_PROVIDER_QUERY_OPERATION, provider_query_operation),
    FN(OSSL_FUNC_PROVIDER_GET_CAPABILITIES, provider_get_capabilities),
    FN(OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, provider_get_reason_strings),
    FN(OSSL_FUNC_PROVIDER_TEARDOWN, provider_teardown),
    {0, nullptr},
};
#undef FN

// The upcalls this provider uses, picked from the core's table.
CoreFunctions core_functions(const OSSL_DISPATCH* in, OSSL_FUNC_core_get_params_fn*& get_params) {
  CoreFunctions core;
  for (; in != nullptr && in->function_id != 0; ++in) {
    switch (in->function_id) {
      case OSSL_FUNC_CORE_GET_PARAMS:
        get_params = OSSL_FUNC_core_get_params(in);
        break;
      case OSSL_FUNC_CORE_NEW_ERROR:
        core.new_error = OSSL_FUNC_core_new_error(in);
        break;
      case OSSL_FUNC_CORE_SET_ERROR_DEBUG:
        core.set_error_debug = OSSL_FUNC_core_set_error_debug(in);
        break;
      case OSSL_FUNC_CORE_VSET_ERROR:
        core.vset_error = OSSL_FUNC_core_vset_error(in);
        break;
      case OSSL_FUNC_BIO_READ_EX:
        core.bio_read_ex = OSSL_FUNC_BIO_read_ex(in);
        break;
      case OSSL_FUNC_BIO_WRITE_EX:
        core.bio_write_ex = OSSL_FUNC_BIO_write_ex(in);
        break;
      case OSSL_FUNC_CORE_GET_LIBCTX:
        core.get_libctx = OSSL_FUNC_core_get_libctx(in);
        break;
      default:
        break;
    }
  }
  return core;
}

// Reports a failed init on the error queue (no ProviderContext exists yet).
void raise_init_error(const CoreFunctions& core, const OSSL_CORE_HANDLE* handle, const char* fmt,
                      ...) {
  if (core.new_error == nullptr || core.vset_error == nullptr) return;
  core.new_error(handle);
  if (core.set_error_debug != nullptr) core.set_error_debug(handle, nullptr, 0, nullptr);
  va_list ap;
  va_start(ap, fmt);
  core.vset_error(handle, kReasonInternal, fmt, ap);
  va_end(ap);
}

}  // namespace
}  // namespace maxq::provider

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(
    const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, const OSSL_DISPATCH** out,
    void** provctx) {
  using namespace maxq::provider;
  OSSL_FUNC_core_get_params_fn* core_get_params = nullptr;
  CoreFunctions core = core_functions(in, core_get_params);
  try {
    ProviderConfig config =
        resolve_config(read_environment(), read_config_section(handle, core_get_params));
    auto ctx = std::make_unique<ProviderContext>(handle, core, std::move(config));
    ctx->trace("loaded; device %s, admin key %s",
               ctx->config().device.empty() ? "(none: chip operations fail)"
                                            : ctx->config().device.c_str(),
               ctx->config().admin_key.empty() ? "(none)" : ctx->config().admin_key.c_str());
    *provctx = ctx.release();
    *out = kProviderFunctions;
    return 1;
  } catch (const std::exception& e) {
    raise_init_error(core, handle, "maxq1061 provider: %s", e.what());
  } catch (...) {
    raise_init_error(core, handle, "maxq1061 provider: initialisation failed");
  }
  return 0;
}
