// EC key manager: keys on the chip (generated there, referenced by object id,
// public point cached) and plain software keys (peers, certificates).
// No callback here but gen touches the device.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <cstdlib>
#include <cstring>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_keymgmt_new_fn ec_new;
OSSL_FUNC_keymgmt_free_fn ec_free;
OSSL_FUNC_keymgmt_gen_init_fn ec_gen_init;
OSSL_FUNC_keymgmt_gen_set_template_fn ec_gen_set_template;
OSSL_FUNC_keymgmt_gen_set_params_fn ec_gen_set_params;
OSSL_FUNC_keymgmt_gen_settable_params_fn ec_gen_settable_params;
OSSL_FUNC_keymgmt_gen_fn ec_gen;
OSSL_FUNC_keymgmt_gen_cleanup_fn ec_gen_cleanup;
OSSL_FUNC_keymgmt_load_fn ec_load;
OSSL_FUNC_keymgmt_get_params_fn ec_get_params;
OSSL_FUNC_keymgmt_gettable_params_fn ec_gettable_params;
OSSL_FUNC_keymgmt_set_params_fn ec_set_params;
OSSL_FUNC_keymgmt_settable_params_fn ec_settable_params;
OSSL_FUNC_keymgmt_query_operation_name_fn ec_query_operation_name;
OSSL_FUNC_keymgmt_has_fn ec_has;
OSSL_FUNC_keymgmt_match_fn ec_match;
OSSL_FUNC_keymgmt_validate_fn ec_validate;
OSSL_FUNC_keymgmt_import_fn ec_import;
OSSL_FUNC_keymgmt_import_types_fn ec_import_types;
OSSL_FUNC_keymgmt_export_fn ec_export;
OSSL_FUNC_keymgmt_export_types_fn ec_export_types;

struct GenContext {
  ProviderContext* ctx;
  int selection;
  std::optional<wire::CurveInfo> curve;
  std::optional<uint16_t> id;  // persistent key in this object; none: ephemeral
  bool auto_id = false;        // persistent key in the first free object id
};

constexpr uint16_t kFirstAutoId = 0x0100, kLastAutoId = 0x0FFF;

bool set_curve(ProviderContext* ctx, std::optional<wire::CurveInfo>& out, const char* name) {
  auto c = wire::curve_by_name(name);
  if (!c) {
    raise_error(ctx, kReasonUnsupportedCurve,
                "curve %s is not supported by the MAXQ1061; use P-256, P-384, P-521, "
                "brainpoolP256r1, brainpoolP384r1 or brainpoolP512r1",
                name);
    return false;
  }
  out = c;
  return true;
}

void* ec_new(void* provctx) {
  try {
    return new EcKey(static_cast<ProviderContext*>(provctx));  // owned by OpenSSL until ec_free
  } catch (...) {
    return nullptr;
  }
}

void ec_free(void* keydata) { std::unique_ptr<EcKey>(static_cast<EcKey*>(keydata)); }

void* ec_gen_init(void* provctx, int selection, const OSSL_PARAM params[]) {
  auto gen = std::make_unique<GenContext>(GenContext{static_cast<ProviderContext*>(provctx), selection, {}, {}});
  if (!ec_gen_set_params(gen.get(), params)) return nullptr;
  return gen.release();
}

int ec_gen_set_template(void* genctx, void* templ) {
  auto* gen = static_cast<GenContext*>(genctx);
  auto* key = static_cast<EcKey*>(templ);
  if (!key || !key->curve) return 0;
  gen->curve = key->curve;
  return 1;
}

int ec_gen_set_params(void* genctx, const OSSL_PARAM params[]) {
  auto* gen = static_cast<GenContext*>(genctx);
  if (!params) return 1;
  if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME)) {
    const char* name = nullptr;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || !set_curve(gen->ctx, gen->curve, name)) return 0;
  }
  if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, "id")) {
    unsigned int v = 0;
    const char* text = nullptr;
    if (OSSL_PARAM_get_utf8_string_ptr(p, &text)) {
      if (std::strcmp(text, "auto") == 0) {
        gen->auto_id = true;
        return 1;
      }
      char* end = nullptr;
      errno = 0;
      unsigned long n = std::strtoul(text, &end, 0);
      if (!*text || *end || errno || n == 0 || n > 0xFFFF) {
        raise_error(gen->ctx, kReasonInvalidArgument,
                    "bad object id '%s': use a 16-bit id such as 0x0101, or 'auto'", text);
        return 0;
      }
      v = static_cast<unsigned int>(n);
    } else if (!OSSL_PARAM_get_uint(p, &v) || v == 0 || v > 0xFFFF) {
      raise_error(gen->ctx, kReasonInvalidArgument, "bad object id: use a 16-bit id such as 0x0101");
      return 0;
    }
    gen->id = static_cast<uint16_t>(v);
  }
  return 1;
}

const OSSL_PARAM* ec_gen_settable_params(void*, void*) {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string("id", nullptr, 0),
      OSSL_PARAM_END,
  };
  return p;
}

uint16_t pick_free_id(transport::Device& dev) {
  auto objects = dev.list_objects();
  uint16_t id = kFirstAutoId;
  for (const auto& o : objects) {
    if (o.id < id) continue;
    if (o.id > id) break;
    ++id;
  }
  if (id > kLastAutoId) throw transport::Error("no free object id between 0x0100 and 0x0fff");
  return id;
}

void* ec_gen(void* genctx, OSSL_CALLBACK*, void*) {
  auto* gen = static_cast<GenContext*>(genctx);
  ProviderContext* ctx = gen->ctx;
  if (!gen->curve) {
    raise_error(ctx, kReasonInvalidArgument, "no curve given: set the group (e.g. -pkeyopt group:P-256)");
    return nullptr;
  }
  auto key = std::make_unique<EcKey>(ctx);
  key->curve = gen->curve;
  if (!(gen->selection & OSSL_KEYMGMT_SELECT_KEYPAIR)) return key.release();  // parameters only
  try {
    transport::Device& dev = ctx->device();
    transport::PublicKey pub;
    if (gen->id || gen->auto_id) {
      ctx->ensure_admin();
      uint16_t id = gen->id ? *gen->id : pick_free_id(dev);
      dev.create_object(transport::ObjectSpec::key_pair(id, gen->curve->curve));
      pub = dev.generate_key(id, gen->curve->curve);
      key->object_id = id;
      ctx->trace("generated %s key in object 0x%04x", std::string(gen->curve->sn).c_str(), id);
    } else {
      // Ephemeral (TLS key share): a reusable temporary slot, one command.
      uint16_t id = ctx->acquire_temporary_slot(gen->curve->curve);
      key->object_id = id;
      key->temporary = true;
      pub = dev.generate_key(id, gen->curve->curve);
    }
    key->serial = ctx->chip_serial();
    key->public_point = Bytes{0x04};
    key->public_point.insert(key->public_point.end(), pub.xy.begin(), pub.xy.end());
    if (!ec_key_refresh_software(*key)) throw transport::ProtocolError("the chip returned an invalid public key");
    return key.release();
  } catch (const std::exception& e) {
    raise_exception(ctx, e);
    return nullptr;
  }
}

void ec_gen_cleanup(void* genctx) { std::unique_ptr<GenContext>(static_cast<GenContext*>(genctx)); }

void* ec_load(const void* reference, size_t reference_sz) {
  return ec_key_take_reference(reference, reference_sz);
}

const char* default_digest(const wire::CurveInfo& c) {
  return c.field_bytes >= 64 ? "SHA512" : c.field_bytes >= 48 ? "SHA384" : "SHA256";
}

int ec_get_params(void* keydata, OSSL_PARAM params[]) {
  auto* key = static_cast<EcKey*>(keydata);
  if (!key->curve) return 1;
  const wire::CurveInfo& c = *key->curve;
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) && !OSSL_PARAM_set_int(p, static_cast<int>(c.bits)))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) &&
      !OSSL_PARAM_set_int(p, static_cast<int>(c.security_bits)))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) &&
      !OSSL_PARAM_set_int(p, static_cast<int>(ecdsa_der_max_size(c))))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME)) &&
      !OSSL_PARAM_set_utf8_string(p, std::string(c.sn).c_str()))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) &&
      !OSSL_PARAM_set_utf8_string(p, default_digest(c)))
    return 0;
  if (!key->public_point.empty()) {
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY)) &&
        !OSSL_PARAM_set_octet_string(p, key->public_point.data(), key->public_point.size()))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_PUB_KEY)) &&
        !OSSL_PARAM_set_octet_string(p, key->public_point.data(), key->public_point.size()))
      return 0;
  }
  return 1;
}

const OSSL_PARAM* ec_gettable_params(void*) {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_END,
  };
  return p;
}

// Sets the public point (libssl: the peer's key share). A key on the chip keeps
// its own point: replacing it would detach the cache from the chip object.
int ec_set_params(void* keydata, const OSSL_PARAM params[]) {
  auto* key = static_cast<EcKey*>(keydata);
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
  if (!p) return 1;
  const void* data = nullptr;
  size_t len = 0;
  if (!OSSL_PARAM_get_octet_string_ptr(p, &data, &len)) return 0;
  if (key->on_chip() || !key->curve) {
    raise_error(key->ctx, kReasonInvalidArgument, "cannot replace the public key of this key");
    return 0;
  }
  key->public_point.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + len);
  if (!ec_key_refresh_software(*key)) {
    key->public_point.clear();
    raise_error(key->ctx, kReasonInvalidKey, "the peer's public key is not a valid uncompressed point on %s",
                std::string(key->curve->sn).c_str());
    return 0;
  }
  return 1;
}

const OSSL_PARAM* ec_settable_params(void*) {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
      OSSL_PARAM_END,
  };
  return p;
}

const char* ec_query_operation_name(int operation_id) {
  switch (operation_id) {
    case OSSL_OP_SIGNATURE: return "ECDSA";
    case OSSL_OP_KEYEXCH: return "ECDH";
    default: return nullptr;
  }
}

int ec_has(const void* keydata, int selection) {
  const auto* key = static_cast<const EcKey*>(keydata);
  if (!key) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_ALL_PARAMETERS) && !key->curve) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && key->public_point.empty()) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !key->has_private()) return 0;
  return 1;
}

int ec_match(const void* a, const void* b, int selection) {
  const auto* k1 = static_cast<const EcKey*>(a);
  const auto* k2 = static_cast<const EcKey*>(b);
  if (!k1->curve || !k2->curve || k1->curve->curve != k2->curve->curve) return 0;
  if (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) {
    if (k1->public_point.size() != k2->public_point.size() ||
        CRYPTO_memcmp(k1->public_point.data(), k2->public_point.data(), k1->public_point.size()) != 0)
      return 0;
  }
  return 1;
}

int ec_validate(const void* keydata, int selection, int) {
  const auto* key = static_cast<const EcKey*>(keydata);
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && !key->software) return 0;
  return ec_has(keydata, selection);
}

int ec_import(void* keydata, int selection, const OSSL_PARAM params[]) {
  auto* key = static_cast<EcKey*>(keydata);
  if (key->on_chip()) return 0;
  const char* group = nullptr;
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
  if (!p || !OSSL_PARAM_get_utf8_string_ptr(p, &group) || !set_curve(key->ctx, key->curve, group)) return 0;
  if (!(selection & OSSL_KEYMGMT_SELECT_KEYPAIR)) return 1;
  p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
  const void* pub = nullptr;
  size_t pub_len = 0;
  if (!p || !OSSL_PARAM_get_octet_string_ptr(p, &pub, &pub_len)) return 0;
  key->public_point.assign(static_cast<const uint8_t*>(pub), static_cast<const uint8_t*>(pub) + pub_len);
  if (key->public_point.size() != 1 + 2 * key->curve->field_bytes || key->public_point[0] != 0x04) {
    // Compressed points are converted by the software key.
    key->public_point.clear();
  }
  if (!(selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) || !OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY)) {
    if (key->public_point.empty()) return 0;
    return ec_key_refresh_software(*key) ? 1 : 0;
  }
  // A plain software key pair (e.g. imported by an application): kept in the
  // software context and used there; it never goes to the chip.
  try {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
        EVP_PKEY_CTX_new_from_name(key->ctx->software_libctx(), "EC", nullptr), EVP_PKEY_CTX_free);
    EVP_PKEY* pkey = nullptr;
    if (!pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0 ||
        EVP_PKEY_fromdata(pctx.get(), &pkey, EVP_PKEY_KEYPAIR, const_cast<OSSL_PARAM*>(params)) <= 0)
      return 0;
    key->software.reset(pkey);
    Bytes point(1 + 2 * key->curve->field_bytes);
    size_t len = 0;
    EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "uncompressed");
    if (!EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) ||
        len != point.size())
      return 0;
    key->public_point = std::move(point);
    return 1;
  } catch (const std::exception& e) {
    raise_exception(key->ctx, e);
    return 0;
  }
}

const OSSL_PARAM* key_types() {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0),
      OSSL_PARAM_END,
  };
  return p;
}
const OSSL_PARAM* ec_import_types(int) { return key_types(); }
const OSSL_PARAM* ec_export_types(int) { return key_types(); }

int ec_export(void* keydata, int selection, OSSL_CALLBACK* cb, void* cbarg) {
  auto* key = static_cast<EcKey*>(keydata);
  if (!key->curve) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && key->on_chip()) {
    raise_error(key->ctx, kReasonPrivateKeyNotExportable,
                "the private key of chip object 0x%04x never leaves the MAXQ1061; export the "
                "public key instead (e.g. openssl pkey -pubout)",
                *key->object_id);
    return 0;
  }
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && key->software) {
    // A software key pair: export through the software key.
    return EVP_PKEY_export(key->software.get(), selection, cb, cbarg);
  }
  std::string group(key->curve->sn);
  OSSL_PARAM params[3];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0);
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && !key->public_point.empty())
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, key->public_point.data(),
                                                    key->public_point.size());
  params[n] = OSSL_PARAM_construct_end();
  return cb(params, cbarg);
}

}  // namespace

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH ec_keymgmt_functions[] = {
    FN(OSSL_FUNC_KEYMGMT_NEW, ec_new),
    FN(OSSL_FUNC_KEYMGMT_FREE, ec_free),
    FN(OSSL_FUNC_KEYMGMT_GEN_INIT, ec_gen_init),
    FN(OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE, ec_gen_set_template),
    FN(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, ec_gen_set_params),
    FN(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, ec_gen_settable_params),
    FN(OSSL_FUNC_KEYMGMT_GEN, ec_gen),
    FN(OSSL_FUNC_KEYMGMT_GEN_CLEANUP, ec_gen_cleanup),
    FN(OSSL_FUNC_KEYMGMT_LOAD, ec_load),
    FN(OSSL_FUNC_KEYMGMT_GET_PARAMS, ec_get_params),
    FN(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, ec_gettable_params),
    FN(OSSL_FUNC_KEYMGMT_SET_PARAMS, ec_set_params),
    FN(OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, ec_settable_params),
    FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, ec_query_operation_name),
    FN(OSSL_FUNC_KEYMGMT_HAS, ec_has),
    FN(OSSL_FUNC_KEYMGMT_MATCH, ec_match),
    FN(OSSL_FUNC_KEYMGMT_VALIDATE, ec_validate),
    FN(OSSL_FUNC_KEYMGMT_IMPORT, ec_import),
    FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, ec_import_types),
    FN(OSSL_FUNC_KEYMGMT_EXPORT, ec_export),
    FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, ec_export_types),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
