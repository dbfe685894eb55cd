#include "simulator/object_store.h"

namespace maxq::sim {

Bytes Object::readable_content() const {
  if (is_ec_key()) {
    if (!holds_key()) return {};
    Bytes out{static_cast<uint8_t>(*curve)};
    out.insert(out.end(), public_xy.begin(), public_xy.end());
    return out;
  }
  if (type == wire::ObjectType::Data || type == wire::ObjectType::Certificate) return data;
  return {};  // secret keys and counters have no readable content in the model
}

uint16_t Object::used() const {
  if (is_ec_key()) return holds_key() ? static_cast<uint16_t>(1 + public_xy.size()) : 0;
  return static_cast<uint16_t>(data.size());
}

void Object::set_key(wire::Curve c, Bytes xy, SecretBytes scalar) {
  curve = c;
  public_xy = std::move(xy);
  private_scalar = std::move(scalar);
  cached_key.reset();
}

size_t storage_cost(wire::ObjectType type, uint16_t length) {
  size_t content = length;
  if (type == wire::ObjectType::KeyPair) content = 3 * size_t{length};
  if (type == wire::ObjectType::PublicKey) content = 2 * size_t{length};
  return wire::kObjectOverheadBytes + content;
}

size_t PersistentState::used_storage() const {
  size_t used = 0;
  for (const auto& entry : objects) used += storage_cost(entry.second.type, entry.second.length);
  return used;
}

Object* ObjectStore::find(uint16_t id) {
  if (auto it = persistent_.objects.find(id); it != persistent_.objects.end()) return &it->second;
  if (auto it = temporary_.find(id); it != temporary_.end()) return &it->second;
  return nullptr;
}

wire::Status ObjectStore::add(Object o) {
  if (find(o.id)) return wire::Status::BadParameter;
  uint16_t id = o.id;
  if (o.temporary()) {
    if (temporary_.size() >= wire::kTemporarySlots) return wire::Status::NoTemporarySlot;
    temporary_.emplace(id, std::move(o));
    return wire::Status::Ok;
  }
  if (storage_cost(o.type, o.length) > free_storage()) return wire::Status::MemoryFull;
  persistent_.objects.emplace(id, std::move(o));
  return wire::Status::Ok;
}

bool ObjectStore::erase(uint16_t id) {
  if (persistent_.objects.erase(id)) return true;
  temporary_.erase(id);
  return false;
}

std::vector<const Object*> ObjectStore::page(uint16_t start, size_t max, bool& more) const {
  std::vector<const Object*> out;
  auto p = persistent_.objects.lower_bound(start), pend = persistent_.objects.end();
  auto t = temporary_.lower_bound(start), tend = temporary_.end();
  while ((p != pend || t != tend) && out.size() < max) {
    if (t == tend || (p != pend && p->first <= t->first)) {
      // On an id clash the persistent object shadows the temporary one.
      if (t != tend && t->first == p->first) ++t;
      out.push_back(&(p++)->second);
    } else {
      out.push_back(&(t++)->second);
    }
  }
  more = p != pend || t != tend;
  return out;
}

size_t ObjectStore::free_storage() const {
  size_t used = persistent_.used_storage();
  return used >= wire::kSecureStorageBytes ? 0 : wire::kSecureStorageBytes - used;
}

size_t ObjectStore::free_temporary_slots() const {
  return temporary_.size() >= wire::kTemporarySlots ? 0 : wire::kTemporarySlots - temporary_.size();
}

void preloaded_key_rules(uint8_t (&rules)[wire::kAccessRuleBytes]) {
  const uint8_t all = wire::kRoleEveryone | wire::kRoleAdmin;
  for (auto state :
       {wire::Lifecycle::Delivery, wire::Lifecycle::Initialized, wire::Lifecycle::Operational}) {
    wire::set_rule_roles(rules, state, wire::Operation::Read, all);
    wire::set_rule_roles(rules, state, wire::Operation::Execute, all);
    wire::set_rule_roles(rules, state, wire::Operation::Generate, wire::kRoleAdmin);
    wire::set_rule_roles(rules, state, wire::Operation::Write, 0);
    wire::set_rule_roles(rules, state, wire::Operation::Delete, 0);
  }
}

}  // namespace maxq::sim
