// The keydata object of the EC key manager. A key is either on the chip (its
// private half is an object id on a chip with a known serial; the public point
// is cached so no query ever touches the device) or a plain software key held
// as an EVP_PKEY in the software library context (peer keys, certificates).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <optional>

#include "provider/provider_context.h"
#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::provider {

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

struct EcKey {
  explicit EcKey(ProviderContext* c) : ctx(c) {}
  ~EcKey();
  EcKey(const EcKey&) = delete;
  EcKey& operator=(const EcKey&) = delete;

  ProviderContext* ctx;
  std::optional<wire::CurveInfo> curve;  // unset only while a key is being built
  Bytes public_point;                    // uncompressed 04 || X || Y; empty when none

  // Private half on the chip.
  std::optional<uint16_t> object_id;
  ChipSerial serial{};
  bool temporary = false;  // ephemeral key in a temporary slot, released on free

  // Software view: the public key (once public_point is set) or a full software
  // key pair (no object_id), in ctx->software_libctx().
  EvpPkeyPtr software;

  bool on_chip() const { return object_id.has_value(); }
  bool has_private() const;
  ByteView public_xy() const { return ByteView(public_point).subview(1); }
};

// Builds `software` from curve + public_point. Returns false on an invalid point.
bool ec_key_refresh_software(EcKey& key);

// For a key on a chip: true when that chip is the configured device; otherwise
// raises an error naming both serials. Reads only the cached serial.
bool ec_key_on_configured_chip(const EcKey& key);

// Maximum DER size of an ECDSA signature on `curve`.
size_t ecdsa_der_max_size(const wire::CurveInfo& curve);

// Handing a key to OpenSSL by reference (store and decoder): the
// OSSL_OBJECT_PARAM_REFERENCE octet string holds the ADDRESS of an `EcKey*`
// variable (reference_sz == sizeof(EcKey*)). keymgmt load() takes ownership by
// moving the pointer out and setting that variable to nullptr; the producer
// keeps the key in a unique_ptr and frees whatever is left after the object
// callback returns, so nothing leaks when OpenSSL does not load the object.
EcKey* ec_key_take_reference(const void* reference, size_t reference_sz);

}  // namespace maxq::provider
