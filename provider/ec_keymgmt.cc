// EC key manager: keys on the chip (generated there, see ec_keygen.cc, or
// loaded by reference from the store and decoder) and plain software keys
// (peer keys, public keys from certificates, imported key pairs). Nothing here
// but generation touches the device: every answer comes from the key's cache.
#include <openssl/bn.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <new>
#include <string>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/ec_keygen.h"
#include "provider/provider_errors.h"
#include "wire/ec_codec.h"
#include "wire/openssl_handles.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_keymgmt_new_fn ec_new;
OSSL_FUNC_keymgmt_free_fn ec_free;
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
OSSL_FUNC_keymgmt_dup_fn ec_dup;

const char* default_digest(const wire::CurveInfo& c) {
  return c.field_bytes > 48 ? "SHA512" : c.field_bytes > 32 ? "SHA384" : "SHA256";
}

void* ec_new(void* provctx) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  return guarded(ctx, static_cast<void*>(nullptr),
                 [&]() -> void* { return std::make_unique<EcKey>(ctx).release(); });
}

void ec_free(void* keydata) {
  std::unique_ptr<EcKey>(static_cast<EcKey*>(keydata));
}

void* ec_load(const void* reference, size_t reference_sz) {
  return ec_key_take_reference(reference, reference_sz);
}

void* ec_dup(const void* keydata, int selection) {
  const auto* key = static_cast<const EcKey*>(keydata);
  return guarded(key->ctx, static_cast<void*>(nullptr),
                 [&]() -> void* { return ec_key_dup(*key, selection).release(); });
}

bool set_coordinate(OSSL_PARAM* p, ByteView bytes) {
  ossl::BnPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  return bn && OSSL_PARAM_set_BN(p, bn.get());
}

int ec_get_params(void* keydata, OSSL_PARAM params[]) {
  auto* key = static_cast<EcKey*>(keydata);
  if (!key->curve) return 1;
  return guarded(key->ctx, 0, [&] {
    const wire::CurveInfo& c = *key->curve;
    std::string group(c.sn);
    OSSL_PARAM* p;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS)) &&
        !OSSL_PARAM_set_int(p, static_cast<int>(c.bits)))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS)) &&
        !OSSL_PARAM_set_int(p, static_cast<int>(c.security_bits)))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE)) &&
        !OSSL_PARAM_set_int(p, static_cast<int>(wire::ecdsa_der_max_size(c))))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_GROUP_NAME)) &&
        !OSSL_PARAM_set_utf8_string(p, group.c_str()))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) &&
        !OSSL_PARAM_set_utf8_string(p, default_digest(c)))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_ENCODING)) &&
        !OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_EC_ENCODING_GROUP))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT)) &&
        !OSSL_PARAM_set_utf8_string(p, OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED))
      return 0;
    if (key->public_point.empty()) return 1;
    for (const char* name : {OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, OSSL_PKEY_PARAM_PUB_KEY})
      if ((p = OSSL_PARAM_locate(params, name)) &&
          !OSSL_PARAM_set_octet_string(p, key->public_point.data(), key->public_point.size()))
        return 0;
    ByteView xy = key->public_xy();
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_PUB_X)) &&
        !set_coordinate(p, xy.subview(0, c.field_bytes)))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_EC_PUB_Y)) &&
        !set_coordinate(p, xy.subview(c.field_bytes)))
      return 0;
    return 1;
  });
}

const OSSL_PARAM* ec_gettable_params(void*) {
  static const OSSL_PARAM gettable[] = {
      OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
      OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_X, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_Y, nullptr, 0),
      OSSL_PARAM_END,
  };
  return gettable;
}

// Sets the public point of a key without a private half: libssl's peer key
// share (EVP_PKEY_set1_encoded_public_key). A key with a private half keeps
// its point, which belongs to that private key.
int ec_set_params(void* keydata, const OSSL_PARAM params[]) {
  auto* key = static_cast<EcKey*>(keydata);
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
  if (p == nullptr) return 1;
  return guarded(key->ctx, 0, [&] {
    const void* data = nullptr;
    size_t len = 0;
    if (!OSSL_PARAM_get_octet_string_ptr(p, &data, &len)) return 0;
    if (key->has_private() || !key->curve) {
      raise_error(key->ctx, kReasonInvalidKey,
                  key->curve ? "the public key of a key pair cannot be replaced"
                             : "set the curve before the public key");
      return 0;
    }
    if (!ec_key_set_public(*key, ByteView(static_cast<const uint8_t*>(data), len))) {
      raise_error(key->ctx, kReasonInvalidKey,
                  "the peer's public key (%zu bytes) is not a valid point on %s", len,
                  std::string(key->curve->sn).c_str());
      return 0;
    }
    return 1;
  });
}

const OSSL_PARAM* ec_settable_params(void*) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
      OSSL_PARAM_END,
  };
  return settable;
}

// Names only this provider implements (provider_main.cc registers its ECDSA
// and ECDH under these too): OpenSSL 3.0 first fetches the operation a key
// manager names without regard to the key's provider, which for "ECDSA" is
// the default provider (providers are tried in name order), and uses it if
// the key exports to it. A chip key exports its public half (for legacy
// callers, see ec_export), so with "ECDSA" the default provider would get a
// key it cannot sign with. With these names every operation on a key of this
// key manager is done here, with no export attempt on the way.
const char* ec_query_operation_name(int operation_id) {
  switch (operation_id) {
    case OSSL_OP_SIGNATURE:
      return kEcdsaOperationName;
    case OSSL_OP_KEYEXCH:
      return kEcdhOperationName;
    default:
      return nullptr;
  }
}

int ec_has(const void* keydata, int selection) {
  const auto* key = static_cast<const EcKey*>(keydata);
  if (key == nullptr) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_ALL_PARAMETERS) && !key->curve) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && key->public_point.empty()) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && !key->has_private()) return 0;
  return 1;
}

// Public data only: keys with the same point are the same key.
int ec_match(const void* a, const void* b, int selection) {
  const auto* k1 = static_cast<const EcKey*>(a);
  const auto* k2 = static_cast<const EcKey*>(b);
  if (!k1->curve || !k2->curve || k1->curve->curve != k2->curve->curve) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) return 1;
  return !k1->public_point.empty() && k1->public_point == k2->public_point ? 1 : 0;
}

int ec_validate(const void* keydata, int selection, int checktype) {
  const auto* key = static_cast<const EcKey*>(keydata);
  if (!ec_has(keydata, selection)) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) return 1;
  return guarded(key->ctx, 0, [&] {
    // The private half of a chip key never leaves the chip; its point came
    // from the chip together with it.
    if (key->software_private && (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY)) {
      ossl::PkeyCtxPtr pctx(
          EVP_PKEY_CTX_new_from_pkey(key->ctx->software_libctx(), ec_key_software(*key), nullptr));
      if (!pctx) return 0;
      return (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) ? EVP_PKEY_pairwise_check(pctx.get())
                                                          : EVP_PKEY_private_check(pctx.get());
    }
    // Every ECDH peer key comes through here (libssl validates it before
    // deriving): a check against the cached group, full validation for the
    // chip's curves whatever `checktype` asks (see curve_groups.cc).
    (void)checktype;
    return key->ctx->curve_groups().uncompressed_point(*key->curve, key->public_point).empty() ? 0
                                                                                               : 1;
  });
}

bool import_curve(EcKey& key, const OSSL_PARAM params[]) {
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
  const char* name = nullptr;
  if (p == nullptr || !OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
    if (key.curve) return true;
    raise_error(key.ctx, kReasonUnsupportedCurve,
                "only named curves can be used with the maxq1061 provider (no group name given)");
    return false;
  }
  auto curve = wire::curve_by_name(name);
  if (!curve || (key.curve && key.curve->curve != curve->curve)) {
    raise_error(key.ctx, kReasonUnsupportedCurve,
                "curve %s is not supported by the maxq1061 provider (P-256, P-384, P-521, "
                "brainpoolP256r1/384r1/512r1)",
                name);
    return false;
  }
  key.curve = curve;
  return true;
}

int ec_import(void* keydata, int selection, const OSSL_PARAM params[]) {
  auto* key = static_cast<EcKey*>(keydata);
  return guarded(key->ctx, 0, [&] {
    if (key->has_private()) {
      raise_error(key->ctx, kReasonInvalidKey, "cannot import into a key that holds a private key");
      return 0;
    }
    if (!import_curve(*key, params)) return 0;
    const OSSL_PARAM* pub = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
    const OSSL_PARAM* priv = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY);
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && priv != nullptr) {
      // A plain software key pair (an application's own key): kept and used in
      // the software context, never sent to the chip.
      ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(key->ctx->software_libctx(), "EC", nullptr));
      EVP_PKEY* pkey = nullptr;
      if (!pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0 ||
          EVP_PKEY_fromdata(pctx.get(), &pkey, EVP_PKEY_KEYPAIR, const_cast<OSSL_PARAM*>(params)) <=
              0 ||
          !ec_key_adopt_software_pair(*key, ossl::PkeyPtr(pkey))) {
        raise_error(key->ctx, kReasonInvalidKey, "the imported EC key pair is not valid");
        return 0;
      }
      return 1;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) && pub != nullptr) {
      const void* data = nullptr;
      size_t len = 0;
      if (!OSSL_PARAM_get_octet_string_ptr(pub, &data, &len) ||
          !ec_key_set_public(*key, ByteView(static_cast<const uint8_t*>(data), len))) {
        raise_error(key->ctx, kReasonInvalidKey, "the imported public key is not a point on %s",
                    std::string(key->curve->sn).c_str());
        return 0;
      }
      return 1;
    }
    // Parameters alone (copying a key's curve) are fine; a key without one is not.
    if ((selection & OSSL_KEYMGMT_SELECT_ALL_PARAMETERS) == 0) {
      raise_error(key->ctx, kReasonInvalidKey, "no EC key material to import");
      return 0;
    }
    return 1;
  });
}

const OSSL_PARAM* key_types() {
  static const OSSL_PARAM types[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
      OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0),
      OSSL_PARAM_END,
  };
  return types;
}
const OSSL_PARAM* ec_import_types(int) {
  return key_types();
}
const OSSL_PARAM* ec_export_types(int) {
  return key_types();
}

// Who is asking for an export with the private key: OpenSSL's legacy
// downgrade (EVP_PKEY_get0_EC_KEY, used by Ruby's openssl, Node's
// asymmetricKeyDetails and JWK export, PEM_write_bio_PrivateKey_traditional),
// or anything else (another provider's key manager or encoder, EVP_PKEY_todata,
// an application's EVP_PKEY_export). OpenSSL says nothing, so two probes ask
// the callback itself, without side effects that last:
//  - no parameters at all: the legacy import (ec_pkey_import_from) fails
//    without a group; evp_keymgmt_util_try_import (provider export) and
//    EVP_PKEY_todata accept an empty set;
//  - the SM2 group alone: the legacy import takes it (the real export below
//    replaces the key it made); the default provider's EC import (key
//    manager, encoders) refuses SM2 for an EC key.
// Legacy is the one that says no, then yes. (EVP_PKEY_todata keeps the copy
// of the empty set it made when the export is then refused: its caller frees
// it, as after any failed todata.)
bool legacy_importer(OSSL_CALLBACK* cb, void* cbarg) {
  ossl::ErrorQueueMark mark;
  OSSL_PARAM none[] = {OSSL_PARAM_construct_end()};
  bool legacy = cb(none, cbarg) == 0;
  if (legacy) {
    char sm2[] = "SM2";
    OSSL_PARAM probe[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, sm2, 0),
        OSSL_PARAM_construct_end(),
    };
    legacy = cb(probe, cbarg) == 1;
  }
  return legacy;
}

// The private scalar a legacy EC_KEY of a chip key gets: not the key (that
// never leaves the chip) but a marker that there is one, so that legacy
// callers that check EC_KEY_get0_private_key (Ruby's PKey::EC#private?, which
// SSLContext#key= and PKey#sign require) take the key, while everything does
// its work through the EVP_PKEY and so through this provider. It is 16 bytes
// longer than the group order, so every use of it as a scalar fails loudly:
// i2d_ECPrivateKey cannot write it (PEM_write_bio_PrivateKey_traditional
// writes nothing), EC_KEY_check_key refuses it, ECDSA_do_sign on the EC_KEY
// fails in its Montgomery multiplication.
ossl::BnPtr private_marker(const wire::CurveInfo& curve) {
  ossl::BnPtr marker(BN_new());
  if (!marker || !BN_set_bit(marker.get(), static_cast<int>(8 * (curve.field_bytes + 16))))
    throw std::bad_alloc();
  return marker;
}

// A chip key exports its group and public point, as hardware-backed
// providers do (tpm2-openssl), whatever the selection asks: the private key is
// never part of any export. Only a selection with the private key differs:
//  - to OpenSSL's legacy downgrade it gives the group, the point and the
//    marker above, so that EVP_PKEY_get0_EC_KEY works (it crashed Ruby and
//    Node when it returned NULL) and says "private";
//  - anything else is refused (with the reason), as before: OpenSSL 3.0 would
//    otherwise use another provider's operation with a key that has no
//    private half (see ec_query_operation_name), and encoders would get
//    nothing they can write.
int ec_export(void* keydata, int selection, OSSL_CALLBACK* cb, void* cbarg) {
  auto* key = static_cast<EcKey*>(keydata);
  if (!key->curve) return 0;
  if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && key->software_private)
    return EVP_PKEY_export(ec_key_software(*key), selection, cb, cbarg);
  return guarded(key->ctx, 0, [&] {
    bool chip_private = (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) && key->on_chip();
    ossl::BnPtr marker;
    if (chip_private) {
      if (!legacy_importer(cb, cbarg)) {
        raise_error(key->ctx, kReasonPrivateKeyNotExportable,
                    "the private key of object 0x%04x never leaves the MAXQ1061; export the "
                    "public key instead (e.g. openssl pkey -pubout)",
                    *key->object_id);
        return 0;
      }
      marker = private_marker(*key->curve);
    }
    std::string group(key->curve->sn);
    ossl::ParamBldPtr bld(OSSL_PARAM_BLD_new());
    if (!bld ||
        !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0))
      throw std::bad_alloc();
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) && !key->public_point.empty() &&
        !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                          key->public_point.data(), key->public_point.size()))
      throw std::bad_alloc();
    if (marker && !OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, marker.get()))
      throw std::bad_alloc();
    ossl::ParamsPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
    if (!params) throw std::bad_alloc();
    return cb(params.get(), cbarg);
  });
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
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
    FN(OSSL_FUNC_KEYMGMT_DUP, ec_dup),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
