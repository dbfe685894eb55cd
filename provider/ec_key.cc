#include "provider/ec_key.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "provider/provider_errors.h"

namespace maxq::provider {

EcKey::~EcKey() {
  if (temporary && object_id) ctx->release_temporary_slot(*object_id);
}

bool EcKey::has_private() const {
  if (on_chip()) return true;
  if (!software) return false;
  BIGNUM* priv = nullptr;
  bool has = EVP_PKEY_get_bn_param(software.get(), OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1;
  BN_clear_free(priv);
  return has;
}

bool ec_key_refresh_software(EcKey& key) {
  if (!key.curve || key.public_point.size() != 1 + 2 * key.curve->field_bytes ||
      key.public_point[0] != 0x04)
    return false;
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  std::string group(key.curve->sn);
  if (!bld ||
      !OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group.c_str(), 0) ||
      !OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, key.public_point.data(),
                                        key.public_point.size()))
    return false;
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                 OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
      EVP_PKEY_CTX_new_from_name(key.ctx->software_libctx(), "EC", nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* pkey = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0 ||
      EVP_PKEY_fromdata(pctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) <= 0)
    return false;
  key.software.reset(pkey);
  return true;
}

bool ec_key_on_configured_chip(const EcKey& key) {
  ChipSerial configured = key.ctx->chip_serial();
  if (configured == key.serial) return true;
  raise_error(key.ctx, kReasonKeyNotOnThisChip,
              "key object 0x%04x belongs to another chip (serial %s) than the configured device "
              "(serial %s); point MAXQ1061_DEVICE or the provider's device setting at the chip "
              "that holds the key",
              *key.object_id, to_hex(ByteView(key.serial)).c_str(), to_hex(ByteView(configured)).c_str());
  return false;
}

size_t ecdsa_der_max_size(const wire::CurveInfo& curve) {
  // SEQUENCE { INTEGER r, INTEGER s }, each integer possibly one byte longer
  // for a sign byte; the lengths of the INTEGERs stay below 128.
  size_t order_bytes = (curve.bits + 7) / 8;
  size_t integer = 2 + order_bytes + 1;
  size_t body = 2 * integer;
  return body + (body < 128 ? 2 : 3);
}

EcKey* ec_key_take_reference(const void* reference, size_t reference_sz) {
  if (!reference || reference_sz != sizeof(EcKey*)) return nullptr;
  EcKey** slot = static_cast<EcKey**>(const_cast<void*>(reference));
  EcKey* key = *slot;
  *slot = nullptr;
  return key;
}

}  // namespace maxq::provider
