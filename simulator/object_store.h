// The chip's objects and their storage accounting.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <map>
#include <optional>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::sim {

struct Object {
  uint16_t id = 0;
  wire::ObjectType type = wire::ObjectType::Data;
  wire::ObjectProperty property = wire::ObjectProperty::Persistent;
  uint8_t rules[wire::kAccessRuleBytes] = {};
  uint16_t length = 0;  // capacity (data, certificate) or field size (keys)
  std::optional<wire::Curve> curve;  // keys holding a key
  Bytes public_xy;                   // keys: X || Y
  SecretBytes private_scalar;        // key pairs: never leaves the chip
  Bytes data;                        // data, certificate: bytes written so far
  // The key as a libcrypto object, built on first use and dropped with the
  // object (a reload of the state file rebuilds objects): saves rebuilding
  // and re-validating the key for every signature.
  std::shared_ptr<EVP_PKEY> crypto_key;

  bool is_key() const {
    return type == wire::ObjectType::KeyPair || type == wire::ObjectType::PublicKey ||
           type == wire::ObjectType::SecretKey;
  }
  bool holds_key() const { return curve.has_value() && !public_xy.empty(); }
  // Bytes of secure storage the object occupies (MODELLED accounting).
  size_t storage_cost() const;
  // What read object returns: the public part of keys, the written bytes of data.
  Bytes readable_content() const;
  uint16_t used() const;
};

using ObjectMap = std::map<uint16_t, Object>;

// Everything that persists across power cycles (the state file's content).
struct PersistentState {
  std::array<uint8_t, wire::kSerialBytes> serial{};
  wire::Lifecycle lifecycle = wire::Lifecycle::Operational;
  ObjectMap objects;  // persistent objects only

  size_t used_storage() const;
};

// Rules for a pre-loaded public key (0x1000, 0x1001): everyone reads and
// verifies with it; only the admin may replace it; nobody deletes it.
void preloaded_key_rules(uint8_t (&rules)[wire::kAccessRuleBytes]);

}  // namespace maxq::sim
