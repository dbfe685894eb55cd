// ObjectSpec factories: the create-object requests the provider and the tool use.
// Access conditions use the public role bits (wire/protocol.h) and are set the
// same in all three usable lifecycle states (delivery, initialized,
// operational), so a chip keeps working when its lifecycle moves on.
#include "transport/device.h"

namespace maxq::transport {
namespace {

using wire::Operation;

constexpr uint8_t kEveryone = wire::kRoleAlways;
constexpr uint8_t kAdminOnly = wire::kRoleAdmin;

void allow(ObjectSpec& s, Operation op, uint8_t roles) {
  for (auto state :
       {wire::Lifecycle::Delivery, wire::Lifecycle::Initialized, wire::Lifecycle::Operational})
    wire::set_rule_roles(s.rules, state, op, roles);
}

// The length of a key object is its content capacity (§5.4: X, Y and the
// scalar of a pair, X and Y of a public key). A curve the host does not know
// gets 0, which the chip refuses with a clear status.
uint16_t capacity(wire::ObjectType type, wire::Curve curve) {
  auto info = wire::curve_info(curve);
  return info ? static_cast<uint16_t>(wire::key_object_capacity(type, *info)) : 0;
}

ObjectSpec base(uint16_t id, wire::ObjectType type, wire::ObjectProperty property,
                uint16_t length) {
  ObjectSpec s;
  s.id = id;
  s.type = type;
  s.property = property;
  s.length = length;
  return s;
}

}  // namespace

ObjectSpec ObjectSpec::key_pair(uint16_t id, wire::Curve curve) {
  ObjectSpec s = base(id, wire::ObjectType::KeyPair, wire::ObjectProperty::Persistent,
                      capacity(wire::ObjectType::KeyPair, curve));
  allow(s, Operation::Read, kEveryone);  // reading a key pair returns only its public part
  allow(s, Operation::Execute, kEveryone);
  allow(s, Operation::Write, kAdminOnly);
  allow(s, Operation::Delete, kAdminOnly);
  allow(s, Operation::Generate, kAdminOnly);
  return s;
}

ObjectSpec ObjectSpec::temporary_key_pair(uint16_t id, wire::Curve curve) {
  ObjectSpec s = base(id, wire::ObjectType::KeyPair, wire::ObjectProperty::Temporary,
                      capacity(wire::ObjectType::KeyPair, curve));
  for (auto op : {Operation::Read, Operation::Write, Operation::Delete, Operation::Generate,
                  Operation::Execute})
    allow(s, op, kEveryone);
  return s;
}

ObjectSpec ObjectSpec::certificate(uint16_t id, uint16_t content_capacity) {
  ObjectSpec s = data(id, content_capacity);
  s.type = wire::ObjectType::Certificate;
  return s;
}

ObjectSpec ObjectSpec::data(uint16_t id, uint16_t content_capacity) {
  ObjectSpec s =
      base(id, wire::ObjectType::Data, wire::ObjectProperty::Persistent, content_capacity);
  allow(s, Operation::Read, kEveryone);
  allow(s, Operation::Write, kAdminOnly);
  allow(s, Operation::Delete, kAdminOnly);
  return s;
}

ObjectSpec ObjectSpec::public_key(uint16_t id, wire::Curve curve) {
  ObjectSpec s = base(id, wire::ObjectType::PublicKey, wire::ObjectProperty::Persistent,
                      capacity(wire::ObjectType::PublicKey, curve));
  allow(s, Operation::Read, kEveryone);
  allow(s, Operation::Execute, kEveryone);  // verify
  allow(s, Operation::Write, kAdminOnly);
  allow(s, Operation::Delete, kAdminOnly);
  allow(s, Operation::Generate, kAdminOnly);  // import key
  return s;
}

}  // namespace maxq::transport
