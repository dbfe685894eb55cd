#include "provider/ec_key.h"

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <string>

#include "provider/provider_errors.h"
#include "wire/ec_codec.h"

namespace maxq::provider {
namespace {

bool is_uncompressed(const wire::CurveInfo& curve, ByteView point) {
  return point.size() == 1 + 2 * curve.field_bytes && point[0] == 0x04;
}

}  // namespace

bool ec_key_check_public(EcKey& key) {
  if (!key.curve || !is_uncompressed(*key.curve, key.public_point) ||
      key.ctx->curve_groups().uncompressed_point(*key.curve, key.public_point).empty())
    return false;
  std::lock_guard<std::mutex> lock(key.software_mutex);
  key.software.reset();
  key.software_private = false;
  return true;
}

bool ec_key_set_public(EcKey& key, ByteView encoded) {
  if (!key.curve) return false;
  Bytes point = key.ctx->curve_groups().uncompressed_point(*key.curve, encoded);
  if (point.empty()) return false;
  key.public_point = std::move(point);
  std::lock_guard<std::mutex> lock(key.software_mutex);
  key.software.reset();
  key.software_private = false;
  return true;
}

EVP_PKEY* ec_key_software(const EcKey& key) {
  std::lock_guard<std::mutex> lock(key.software_mutex);
  // A null key leaves libcrypto's reason on the error queue.
  if (!key.software && key.curve && is_uncompressed(*key.curve, key.public_point))
    key.software = wire::ec_public_key(key.ctx->software_libctx(), *key.curve, key.public_point);
  return key.software.get();
}

bool ec_key_adopt_software_pair(EcKey& key, ossl::PkeyPtr pkey) {
  if (!key.curve || !pkey) return false;
  // The key keeps (and exports) its point uncompressed, as chip keys do.
  if (EVP_PKEY_set_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                     "uncompressed") != 1)
    return false;
  Bytes point = wire::ec_public_point(pkey.get(), *key.curve);
  if (point.empty()) return false;
  key.public_point = std::move(point);
  std::lock_guard<std::mutex> lock(key.software_mutex);
  key.software = std::move(pkey);
  key.software_private = true;
  return true;
}

bool ec_key_on_configured_chip(const EcKey& key) {
  ChipSerial configured = key.ctx->chip_serial();
  if (configured == key.serial) return true;
  raise_error(key.ctx, kReasonKeyNotOnThisChip,
              "key object 0x%04x belongs to another chip (serial %s) than the configured device "
              "(serial %s); point MAXQ1061_DEVICE or the provider's device setting at the chip "
              "that holds the key",
              key.object_id.value_or(0), to_hex(ByteView(key.serial)).c_str(),
              to_hex(ByteView(configured)).c_str());
  return false;
}

std::unique_ptr<EcKey> ec_key_dup(const EcKey& key, int selection) {
  auto copy = std::make_unique<EcKey>(key.ctx);
  copy->curve = key.curve;
  copy->tls_key_share = key.tls_key_share;
  bool want_private = (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0;
  bool want_public = want_private || (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0;
  if (!want_public || key.public_point.empty()) return copy;
  copy->public_point = key.public_point;
  if (want_private && key.has_private()) {
    copy->object_id = key.object_id;
    copy->serial = key.serial;
    copy->temporary = key.temporary;
    copy->slot = key.slot;
    copy->software_private = key.software_private;
  }
  std::lock_guard<std::mutex> lock(key.software_mutex);
  if (key.software && (copy->software_private || !key.software_private)) {
    // Software keys are never changed once built, so the copy shares it.
    if (EVP_PKEY_up_ref(key.software.get()) != 1) return nullptr;
    copy->software.reset(key.software.get());
  }
  // Otherwise the copy builds its own public view when it needs one.
  return copy;
}

EcKey* ec_key_take_reference(const void* reference, size_t reference_sz) {
  if (reference == nullptr || reference_sz != sizeof(EcKey*)) return nullptr;
  EcKey** holder = static_cast<EcKey**>(const_cast<void*>(reference));
  EcKey* key = *holder;
  *holder = nullptr;
  return key;
}

}  // namespace maxq::provider
