#include "simulator/object_store.h"

#include <algorithm>

namespace maxq::sim {

Bytes Object::readable_content() const {
  if (is_ec_key()) return holds_key() ? public_xy : Bytes{};
  if (type == wire::ObjectType::Data || type == wire::ObjectType::Certificate) return data;
  return {};  // secret keys and counters have no readable content in the model
}

bool Object::initialised() const {
  return is_ec_key() ? holds_key() : !data.empty();
}

wire::ObjectRecord Object::record() const {
  wire::ObjectRecord r;
  r.id = id;
  r.type = static_cast<uint8_t>(type);
  r.state = initialised() ? wire::kObjectStateInitialised : wire::kObjectStateEmpty;
  r.properties = properties();
  std::copy(std::begin(rules), std::end(rules), r.rules);
  r.length = length;
  if (wire::record_has_key_policy(r.type)) r.key = policy.value_or(wire::KeyPolicy{});
  return r;
}

void Object::set_key(wire::Curve c, Bytes xy, SecretBytes scalar) {
  curve = c;
  public_xy = std::move(xy);
  private_scalar = std::move(scalar);
  cached_key.reset();
}

size_t storage_cost(uint16_t length) {
  return wire::kObjectOverheadBytes + length;
}

bool is_key_capacity(wire::ObjectType type, uint16_t length) {
  for (unsigned id = 0; id < 256; ++id) {
    auto curve = wire::curve_info(static_cast<uint8_t>(id));
    if (curve && wire::key_object_capacity(type, *curve) == length) return true;
  }
  return false;
}

size_t PersistentState::used_storage() const {
  size_t used = 0;
  for (const auto& entry : objects) used += storage_cost(entry.second.length);
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
  if (storage_cost(o.length) > free_storage()) return wire::Status::MemoryFull;
  persistent_.objects.emplace(id, std::move(o));
  return wire::Status::Ok;
}

bool ObjectStore::erase(uint16_t id) {
  if (persistent_.objects.erase(id)) return true;
  temporary_.erase(id);
  return false;
}

std::vector<uint16_t> ObjectStore::ids() const {
  std::vector<uint16_t> out;
  out.reserve(persistent_.objects.size() + temporary_.size());
  for (const auto& entry : persistent_.objects) out.push_back(entry.first);
  for (const auto& entry : temporary_) out.push_back(entry.first);
  std::sort(out.begin(), out.end());
  // On an id clash the persistent object shadows the temporary one.
  out.erase(std::unique(out.begin(), out.end()), out.end());
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
  for (auto state :
       {wire::Lifecycle::Delivery, wire::Lifecycle::Initialized, wire::Lifecycle::Operational}) {
    wire::set_rule_roles(rules, state, wire::Operation::Read, wire::kRoleAlways);
    wire::set_rule_roles(rules, state, wire::Operation::Execute, wire::kRoleAlways);
    wire::set_rule_roles(rules, state, wire::Operation::Write, wire::kRoleAdmin);
    wire::set_rule_roles(rules, state, wire::Operation::Generate, 0);
    wire::set_rule_roles(rules, state, wire::Operation::Delete, 0);
  }
}

}  // namespace maxq::sim
