// Entry point of maxq1061.so: configuration, algorithm tables, parameters,
// capabilities and errors. No device I/O happens here: the device is opened at
// the first operation that needs it.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "provider/algorithms.h"
#include "provider/provider_context.h"
#include "provider/provider_errors.h"
#include "provider/tls_group_capabilities.h"
#include "transport/device_spec.h"

#ifndef MAXQ_PROVIDER_VERSION
#define MAXQ_PROVIDER_VERSION "0.1.0"
#endif

namespace maxq::provider {
namespace {

OSSL_FUNC_provider_gettable_params_fn gettable_params;
OSSL_FUNC_provider_get_params_fn get_params;
OSSL_FUNC_provider_query_operation_fn query_operation;
OSSL_FUNC_provider_get_capabilities_fn get_capabilities;
OSSL_FUNC_provider_get_reason_strings_fn get_reason_strings;
OSSL_FUNC_provider_teardown_fn teardown;

#define PROPS "provider=maxq1061"

const OSSL_ALGORITHM kKeymgmt[] = {
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", PROPS, ec_keymgmt_functions, "MAXQ1061 EC keys"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kSignature[] = {
    {"ECDSA", PROPS, ecdsa_signature_functions, "ECDSA with the private key on the MAXQ1061"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kKeyexch[] = {
    {"ECDH", PROPS, ecdh_keyexch_functions, "ECDH with the private key on the MAXQ1061"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kRand[] = {
    {"MAXQ1061-TRNG", PROPS, trng_rand_functions, "the MAXQ1061's true random number generator"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kStore[] = {
    {"maxq1061", PROPS, uri_store_functions, "objects on the MAXQ1061 by maxq1061: URI"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kEncoder[] = {
    {"EC", PROPS ",output=pem,structure=PrivateKeyInfo", key_reference_encoder_pem_functions,
     "MAXQ1061 key reference (PEM)"},
    {nullptr, nullptr, nullptr, nullptr}};
const OSSL_ALGORITHM kDecoder[] = {
    {"DER", PROPS ",input=pem", key_reference_pem_decoder_functions, "MAXQ1061 key reference (PEM)"},
    {"EC", PROPS ",input=der,structure=maxq1061-key-reference", key_reference_decoder_functions,
     "MAXQ1061 key reference"},
    {nullptr, nullptr, nullptr, nullptr}};

const OSSL_PARAM* gettable_params(void*) {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_NAME, nullptr, 0),
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_VERSION, nullptr, 0),
      OSSL_PARAM_utf8_ptr(OSSL_PROV_PARAM_BUILDINFO, nullptr, 0),
      OSSL_PARAM_int(OSSL_PROV_PARAM_STATUS, nullptr),
      OSSL_PARAM_END,
  };
  return p;
}

int get_params(void*, OSSL_PARAM params[]) {
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME)) && !OSSL_PARAM_set_utf8_ptr(p, "MAXQ1061 provider"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION)) && !OSSL_PARAM_set_utf8_ptr(p, MAXQ_PROVIDER_VERSION))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO)) &&
      !OSSL_PARAM_set_utf8_ptr(p, "maxq1061-provider " MAXQ_PROVIDER_VERSION " (" __DATE__ ")"))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS)) && !OSSL_PARAM_set_int(p, 1)) return 0;
  return 1;
}

const OSSL_ALGORITHM* query_operation(void*, int operation_id, int* no_cache) {
  *no_cache = 0;
  switch (operation_id) {
    case OSSL_OP_KEYMGMT: return kKeymgmt;
    case OSSL_OP_SIGNATURE: return kSignature;
    case OSSL_OP_KEYEXCH: return kKeyexch;
    case OSSL_OP_RAND: return kRand;
    case OSSL_OP_STORE: return kStore;
    case OSSL_OP_ENCODER: return kEncoder;
    case OSSL_OP_DECODER: return kDecoder;
    default: return nullptr;
  }
}

int get_capabilities(void*, const char* capability, OSSL_CALLBACK* cb, void* arg) {
  return tls_group_capabilities(capability, cb, arg);
}

const OSSL_ITEM* get_reason_strings(void*) { return reason_strings(); }

void teardown(void* provctx) { std::unique_ptr<ProviderContext>(static_cast<ProviderContext*>(provctx)); }

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH kProviderFunctions[] = {
    FN(OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, gettable_params),
    FN(OSSL_FUNC_PROVIDER_GET_PARAMS, get_params),
    FN(OSSL_FUNC_PROVIDER_QUERY_OPERATION, query_operation),
    FN(OSSL_FUNC_PROVIDER_GET_CAPABILITIES, get_capabilities),
    FN(OSSL_FUNC_PROVIDER_GET_REASON_STRINGS, get_reason_strings),
    FN(OSSL_FUNC_PROVIDER_TEARDOWN, teardown),
    {0, nullptr},
};
#undef FN

// Device and admin key: environment, else the provider's config section, else
// the default simulated chip.
ProviderConfig read_config(const OSSL_CORE_HANDLE* handle, OSSL_FUNC_core_get_params_fn* core_get_params) {
  ProviderConfig c;
  char* device = nullptr;
  char* admin_key = nullptr;
  OSSL_PARAM params[] = {
      OSSL_PARAM_utf8_ptr("device", &device, 0),
      OSSL_PARAM_utf8_ptr("admin-key", &admin_key, 0),
      OSSL_PARAM_END,
  };
  if (core_get_params) core_get_params(handle, params);
  const char* env_device = std::getenv("MAXQ1061_DEVICE");
  const char* env_admin = std::getenv("MAXQ1061_ADMIN_KEY");
  const char* env_debug = std::getenv("MAXQ1061_DEBUG");
  if (env_device && *env_device) c.device = env_device;
  else if (device && *device) c.device = device;
  if (env_admin && *env_admin) c.admin_key = env_admin;
  else if (admin_key && *admin_key) c.admin_key = admin_key;
  c.debug = env_debug && *env_debug && std::strcmp(env_debug, "0") != 0;
  if (c.device.empty()) {
    c.device = "sim:" + transport::default_sim_state_path();
    c.default_device = true;
  }
  if (c.admin_key.empty() && c.device.rfind("sim:", 0) == 0) c.admin_key = c.device.substr(4) + ".admin.pem";
  return c;
}

}  // namespace
}  // namespace maxq::provider

extern "C" __attribute__((visibility("default"))) int OSSL_provider_init(const OSSL_CORE_HANDLE* handle,
                                                                          const OSSL_DISPATCH* in,
                                                                          const OSSL_DISPATCH** out,
                                                                          void** provctx) {
  using namespace maxq::provider;
  CoreFunctions core;
  OSSL_FUNC_core_get_params_fn* core_get_params = nullptr;
  for (; in && in->function_id != 0; ++in) {
    switch (in->function_id) {
      case OSSL_FUNC_CORE_GET_PARAMS: core_get_params = OSSL_FUNC_core_get_params(in); break;
      case OSSL_FUNC_CORE_NEW_ERROR: core.new_error = OSSL_FUNC_core_new_error(in); break;
      case OSSL_FUNC_CORE_SET_ERROR_DEBUG: core.set_error_debug = OSSL_FUNC_core_set_error_debug(in); break;
      case OSSL_FUNC_CORE_VSET_ERROR: core.vset_error = OSSL_FUNC_core_vset_error(in); break;
      case OSSL_FUNC_BIO_READ_EX: core.bio_read_ex = OSSL_FUNC_BIO_read_ex(in); break;
      case OSSL_FUNC_BIO_WRITE_EX: core.bio_write_ex = OSSL_FUNC_BIO_write_ex(in); break;
      default: break;
    }
  }
  try {
    auto ctx = std::make_unique<ProviderContext>(handle, core, read_config(handle, core_get_params));
    ctx->trace("loaded; device %s", ctx->config().device.c_str());
    *provctx = ctx.release();
    *out = kProviderFunctions;
    return 1;
  } catch (...) {
    return 0;
  }
}
