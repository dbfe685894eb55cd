// Object commands: create, delete, read, write, list.
#include "simulator/chip_core.h"

namespace maxq::sim {

using wire::Status;

namespace {

bool valid_key_length(uint16_t len) {
  for (uint8_t c = 0; c <= 5; ++c)
    if (wire::curve_info(c)->field_bytes == len) return true;
  return false;
}

}  // namespace

Reply ChipCore::create_object(PersistentState& s, ByteView p, bool& modified) {
  if (p.size() != wire::kCreateObjectRequestBytes) return Reply::error(Status::WrongLength);
  PayloadReader r(p, "create object");
  Object o;
  o.id = r.u16();
  uint8_t type = r.u8(), prop = r.u8();
  ByteView rules = r.bytes(wire::kAccessRuleBytes);
  std::copy(rules.begin(), rules.end(), o.rules);
  o.length = r.u16();
  ByteView reserved = r.bytes(4);
  r.expect_end();
  if (type < 1 || type > 7 || (prop != 1 && prop != 2)) return Reply::error(Status::BadParameter);
  for (uint8_t b : reserved)
    if (b != 0) return Reply::error(Status::BadParameter);
  o.type = static_cast<wire::ObjectType>(type);
  o.property = static_cast<wire::ObjectProperty>(prop);
  if (o.type == wire::ObjectType::KeyPair || o.type == wire::ObjectType::PublicKey) {
    if (!valid_key_length(o.length)) return Reply::error(Status::WrongLength);
  } else if (o.length == 0) {
    return Reply::error(Status::WrongLength);
  }
  if (find(s, o.id)) return Reply::error(Status::BadParameter);  // id exists
  bool temporary = o.property == wire::ObjectProperty::Temporary;
  // MODELLED: persistent objects need the admin once the chip left delivery.
  if (!temporary && s.lifecycle != wire::Lifecycle::Delivery && !session_.admin)
    return Reply::error(Status::AccessDenied);
  if (temporary) {
    if (session_.temporary.size() >= wire::kTemporarySlots) return Reply::error(Status::NoTemporarySlot);
    uint16_t id = o.id;
    session_.temporary.emplace(id, std::move(o));
    return Reply::ok();
  }
  if (s.used_storage() + o.storage_cost() > wire::kSecureStorageBytes)
    return Reply::error(Status::MemoryFull);
  uint16_t id = o.id;
  s.objects.emplace(id, std::move(o));
  modified = true;
  return Reply::ok();
}

Reply ChipCore::delete_object(PersistentState& s, ByteView p, bool& modified) {
  PayloadReader r(p, "delete object");
  uint16_t id = r.u16();
  r.expect_end();
  Object* o = find(s, id);
  if (!o) return Reply::error(Status::NotFound);
  if (!allowed(s, *o, wire::Operation::Delete)) return Reply::error(Status::AccessDenied);
  if (o->property == wire::ObjectProperty::Temporary) {
    session_.temporary.erase(id);
    return Reply::ok();
  }
  s.objects.erase(id);
  modified = true;
  return Reply::ok();
}

Reply ChipCore::read_object(PersistentState& s, ByteView p, bool&) {
  PayloadReader r(p, "read object");
  uint16_t id = r.u16(), offset = r.u16(), length = r.u16();
  r.expect_end();
  Object* o = find(s, id);
  if (!o) return Reply::error(Status::NotFound);
  if (!allowed(s, *o, wire::Operation::Read)) return Reply::error(Status::AccessDenied);
  Bytes content = o->readable_content();
  if (content.empty()) return Reply::error(Status::ObjectEmpty);
  if (offset > content.size()) return Reply::error(Status::OutOfBounds);
  size_t n = length ? length : std::min(content.size() - offset, wire::kMaxPayload);
  if (n > wire::kMaxPayload) return Reply::error(Status::WrongLength);
  if (offset + n > content.size()) return Reply::error(Status::OutOfBounds);
  return Reply::ok(Bytes(content.begin() + offset, content.begin() + offset + static_cast<long>(n)));
}

Reply ChipCore::write_object(PersistentState& s, ByteView p, bool& modified) {
  PayloadReader r(p, "write object");
  uint16_t id = r.u16(), offset = r.u16();
  ByteView data = r.rest();
  if (data.empty()) return Reply::error(Status::WrongLength);
  Object* o = find(s, id);
  if (!o) return Reply::error(Status::NotFound);
  if (o->type != wire::ObjectType::Data && o->type != wire::ObjectType::Certificate)
    return Reply::error(Status::BadParameter);  // keys are written with import key
  if (!allowed(s, *o, wire::Operation::Write)) return Reply::error(Status::AccessDenied);
  if (offset > o->data.size() || size_t{offset} + data.size() > o->length)
    return Reply::error(Status::OutOfBounds);
  if (o->data.size() < offset + data.size()) o->data.resize(offset + data.size());
  std::copy(data.begin(), data.end(), o->data.begin() + offset);
  modified = o->property == wire::ObjectProperty::Persistent;
  return Reply::ok();
}

Reply ChipCore::list_objects(PersistentState& s, ByteView p, bool&) {
  PayloadReader r(p, "list objects");
  uint16_t start = r.u16();
  r.expect_end();
  ObjectMap::const_iterator pi = s.objects.lower_bound(start), ti = session_.temporary.lower_bound(start);
  constexpr size_t kPerPage = (wire::kMaxPayload - 2) / wire::kListEntryBytes;
  PayloadWriter entries;
  size_t count = 0;
  while ((pi != s.objects.end() || ti != session_.temporary.end()) && count < kPerPage) {
    bool take_p = ti == session_.temporary.end() || (pi != s.objects.end() && pi->first < ti->first);
    const Object& o = take_p ? (pi++)->second : (ti++)->second;
    entries.u16(o.id).u8(static_cast<uint8_t>(o.type)).u8(static_cast<uint8_t>(o.property));
    entries.u8(o.curve ? static_cast<uint8_t>(*o.curve) : wire::kNoCurve);
    entries.u16(o.length).u16(o.used()).bytes(ByteView(o.rules, wire::kAccessRuleBytes));
    ++count;
  }
  bool more = pi != s.objects.end() || ti != session_.temporary.end();
  PayloadWriter w;
  w.u8(more ? 1 : 0).u8(static_cast<uint8_t>(count)).bytes(entries.bytes());
  return Reply::ok(w.take());
}

}  // namespace maxq::sim
