#include "simulator/object_store.h"

namespace maxq::sim {

size_t Object::storage_cost() const {
  size_t content = 0;
  switch (type) {
    case wire::ObjectType::KeyPair: content = 3 * size_t{length}; break;
    case wire::ObjectType::PublicKey: content = 2 * size_t{length}; break;
    case wire::ObjectType::Counter:
    case wire::ObjectType::CounterAlt: content = 4; break;
    default: content = length; break;
  }
  return wire::kObjectOverheadBytes + content;
}

Bytes Object::readable_content() const {
  if (is_key()) {
    if (!holds_key() || type == wire::ObjectType::SecretKey) return {};
    Bytes out{static_cast<uint8_t>(*curve)};
    out.insert(out.end(), public_xy.begin(), public_xy.end());
    return out;
  }
  return data;
}

uint16_t Object::used() const {
  if (is_key()) return holds_key() ? static_cast<uint16_t>(1 + public_xy.size()) : 0;
  return static_cast<uint16_t>(data.size());
}

size_t PersistentState::used_storage() const {
  size_t used = 0;
  for (const auto& [id, o] : objects) used += o.storage_cost();
  return used;
}

void preloaded_key_rules(uint8_t (&rules)[wire::kAccessRuleBytes]) {
  for (auto state : {wire::Lifecycle::Delivery, wire::Lifecycle::Initialized,
                     wire::Lifecycle::Operational}) {
    wire::set_rule_roles(rules, state, wire::Operation::Read, wire::kRoleEveryone | wire::kRoleAdmin);
    wire::set_rule_roles(rules, state, wire::Operation::Execute, wire::kRoleEveryone | wire::kRoleAdmin);
    wire::set_rule_roles(rules, state, wire::Operation::Generate, wire::kRoleAdmin);
    wire::set_rule_roles(rules, state, wire::Operation::Write, 0);
    wire::set_rule_roles(rules, state, wire::Operation::Delete, 0);
  }
}

}  // namespace maxq::sim
