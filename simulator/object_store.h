// The chip's objects and their storage accounting.
//
// Persistent objects live in secure storage (32 KB, persisted in the state
// file); temporary objects live in RAM, are limited to kTemporarySlots, are
// never persisted and belong to one chip session (one Chip instance).
// MODELLED accounting: every persistent object costs kObjectOverheadBytes plus
// its capacity (the length of create object; for keys the §5.4 capacity,
// 3 x field for a key pair, 2 x field for a public key).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "wire/bytes.h"
#include "wire/object_layout.h"
#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::sim {

struct Object {
  uint16_t id = 0;
  wire::ObjectType type = wire::ObjectType::Data;
  wire::ObjectProperty property = wire::ObjectProperty::Persistent;
  bool wipe_on_tamper = false;  // kPropertyWipeOnTamper (the model has no tamper input)
  uint8_t rules[wire::kAccessRuleBytes] = {};
  uint16_t length = 0;               // capacity in bytes, as created
  std::optional<wire::Curve> curve;  // key objects that hold a key
  Bytes public_xy;                   // key objects: X || Y
  SecretBytes private_scalar;        // key pairs: never leaves the chip
  Bytes data;                        // data objects: content; certificates: header + DER
  // Key policy: from the descriptor that imported or generated the key, or
  // from the header of an imported certificate.
  std::optional<wire::KeyPolicy> policy;
  // The key as a libcrypto object, built from the fields above on first use so
  // that not every signature re-imports and re-validates it. Whoever changes
  // the key material resets it; a reload of the state file builds new objects.
  ossl::PkeyPtr cached_key;

  bool is_ec_key() const {
    return type == wire::ObjectType::KeyPair || type == wire::ObjectType::PublicKey;
  }
  bool holds_key() const { return curve.has_value() && !public_xy.empty(); }
  bool temporary() const { return property == wire::ObjectProperty::Temporary; }
  // The properties byte of create object and of the list record.
  uint8_t properties() const {
    return static_cast<uint8_t>(static_cast<uint8_t>(property) |
                                (wipe_on_tamper ? wire::kPropertyWipeOnTamper : 0));
  }
  // What read object returns: X || Y for EC keys (never the private scalar),
  // the content of data objects, the stored request (24-byte header and DER)
  // of certificates, nothing otherwise.
  Bytes readable_content() const;
  // Whether the object holds content (the state byte of the list record).
  bool initialised() const;
  // The object's record for list objects option 0.
  wire::ObjectRecord record() const;
  // Replaces the key material (and drops the cached libcrypto key).
  void set_key(wire::Curve c, Bytes xy, SecretBytes scalar);
};

// Bytes of secure storage an object of this capacity occupies.
size_t storage_cost(uint16_t length);

// Whether `length` is the capacity of a key object of `type` for some
// supported curve (§5.4).
bool is_key_capacity(wire::ObjectType type, uint16_t length);

using ObjectMap = std::map<uint16_t, Object>;

// Everything that persists across power cycles (the state file's content).
struct PersistentState {
  wire::ChipSerial serial{};
  wire::Lifecycle lifecycle = wire::Lifecycle::Operational;
  ObjectMap objects;  // persistent objects only

  size_t used_storage() const;
};

// One view over the persistent objects and this session's temporary ones.
// Ids are unique across both as far as this session can see; a persistent
// object another process created under the id of one of our temporary objects
// shadows it.
class ObjectStore {
 public:
  ObjectStore(PersistentState& persistent, ObjectMap& temporary)
      : persistent_(persistent), temporary_(temporary) {}

  Object* find(uint16_t id);
  // Ok, BadParameter (id exists), NoTemporarySlot or MemoryFull.
  wire::Status add(Object o);
  // Returns whether a persistent object was removed (the state must be saved).
  bool erase(uint16_t id);
  // Every visible object id in ascending order.
  std::vector<uint16_t> ids() const;

  size_t free_storage() const;
  size_t free_temporary_slots() const;

 private:
  PersistentState& persistent_;
  ObjectMap& temporary_;
};

// Rules of the pre-loaded public keys (0x1000, 0x1001): everyone reads and
// verifies with them; only the admin may write (replace) them; nobody deletes
// them.
void preloaded_key_rules(uint8_t (&rules)[wire::kAccessRuleBytes]);

}  // namespace maxq::sim
