// The keydata object of the EC key manager. A key is either on the chip (its
// private half is an object id on a chip with a known serial; the public point
// is cached so no query ever touches the device) or a plain software key held
// as an EVP_PKEY in the software library context (peer keys, certificates,
// imported key pairs).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "provider/provider_context.h"
#include "provider/temporary_key_slots.h"
#include "wire/bytes.h"
#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::provider {

struct EcKey {
  explicit EcKey(ProviderContext* c) : ctx(c) {}
  EcKey(const EcKey&) = delete;
  EcKey& operator=(const EcKey&) = delete;

  ProviderContext* ctx;
  std::optional<wire::CurveInfo> curve;  // unset only while a key is being built
  Bytes public_point;                    // uncompressed 04 || X || Y; empty when none

  // Private half on the chip.
  std::optional<uint16_t> object_id;
  ChipSerial serial{};
  bool temporary = false;  // ephemeral key in a temporary slot (never saved)
  // Made from a group of this provider's TLS groups (tls_group_capabilities.h):
  // libssl's peer key share, the template of TLS 1.2's client key share.
  bool tls_key_share = false;
  // Keeps the temporary slot reserved while this key (or a dup of it) lives.
  std::shared_ptr<TemporaryKeySlots::Lease> slot;

  // Software view in ctx->software_libctx(): a full software key pair (no
  // object_id, software_private, set when adopted) or the public key, built from
  // public_point only when software work needs it (ec_key_software): a peer's
  // ECDHE point or a chip key's point never needs one in a handshake.
  mutable ossl::PkeyPtr software;
  mutable std::mutex software_mutex;  // keys are shared by threads (certificates)
  bool software_private = false;

  bool on_chip() const { return object_id.has_value(); }
  bool has_private() const { return on_chip() || software_private; }
  ByteView public_xy() const { return ByteView(public_point).subview(1); }
};

// Checks that public_point is an uncompressed point on the key's curve (cheap:
// a cached group) and drops any software view built for an earlier point.
bool ec_key_check_public(EcKey& key);

// Sets the public point from any encoding OpenSSL accepts (uncompressed or
// compressed); the key keeps the uncompressed form. Returns false, leaving the
// key unchanged, for a point not on the curve.
bool ec_key_set_public(EcKey& key, ByteView encoded);

// The software view (see EcKey::software), built at first use; null (with
// OpenSSL's reason on the error queue) when libcrypto cannot make it.
EVP_PKEY* ec_key_software(const EcKey& key);

// Adopts a software key pair (`pkey` in ctx->software_libctx()) on `key->curve`.
bool ec_key_adopt_software_pair(EcKey& key, ossl::PkeyPtr pkey);

// For a key on a chip: true when that chip is the configured device; otherwise
// raises an error naming both serials. Opens the device if needed (the serial is
// read once per session), so call it only where the device is used anyway.
bool ec_key_on_configured_chip(const EcKey& key);

// A copy of the parts of `key` named by `selection` (OSSL_KEYMGMT_SELECT_*).
// A temporary key's copy shares its slot.
std::unique_ptr<EcKey> ec_key_dup(const EcKey& key, int selection);

// Handing a key to OpenSSL by reference (store and decoder): the
// OSSL_OBJECT_PARAM_REFERENCE octet string holds the ADDRESS of an `EcKey*`
// variable (reference_sz == sizeof(EcKey*)). keymgmt load() takes ownership by
// moving the pointer out and setting that variable to nullptr; the producer
// keeps the key in a unique_ptr and frees whatever is left after the object
// callback returns, so nothing leaks when OpenSSL does not load the object.
EcKey* ec_key_take_reference(const void* reference, size_t reference_sz);

}  // namespace maxq::provider
