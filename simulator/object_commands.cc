// Object commands: create, delete, read, write, list.
#include <algorithm>

#include "simulator/chip_core.h"

namespace maxq::sim {

using wire::Status;

namespace {

bool is_field_size(uint16_t length) {
  for (uint8_t id = 0; auto curve = wire::curve_info(id); ++id)
    if (curve->field_bytes == length) return true;
  return false;
}

// The execute byte of each state has a reserved high nibble (protocol.h).
bool rules_well_formed(ByteView rules) {
  for (size_t state = 0; state < 3; ++state)
    if (rules[state * 3 + 2] & 0xF0) return false;
  return true;
}

}  // namespace

Reply ChipCore::create_object(Transaction& t, ByteView p) {
  PayloadReader r(p, "create object");
  Object o;
  o.id = r.u16();
  uint8_t type = r.u8(), property = r.u8();
  ByteView rules = r.bytes(wire::kAccessRuleBytes);
  o.length = r.u16();
  ByteView reserved = r.bytes(4);
  r.expect_end();

  if (type < 1 || type > 7) return Reply::error(Status::BadParameter);
  if (property != static_cast<uint8_t>(wire::ObjectProperty::Temporary) &&
      property != static_cast<uint8_t>(wire::ObjectProperty::Persistent))
    return Reply::error(Status::BadParameter);
  if (!rules_well_formed(rules) ||
      std::any_of(reserved.begin(), reserved.end(), [](uint8_t b) { return b != 0; }))
    return Reply::error(Status::BadParameter);
  o.type = static_cast<wire::ObjectType>(type);
  o.property = static_cast<wire::ObjectProperty>(property);
  std::copy(rules.begin(), rules.end(), o.rules);
  // MODELLED: a key object's length is its curve's field size.
  if (o.is_ec_key() ? !is_field_size(o.length) : o.length == 0)
    return Reply::error(Status::WrongLength);
  // MODELLED: once the chip left delivery, persistent objects need the admin;
  // temporary (RAM) objects may be created by everyone.
  if (!o.temporary() && t.state.lifecycle != wire::Lifecycle::Delivery && !session_.admin)
    return Reply::error(Status::AccessDenied);
  bool persistent = !o.temporary();
  Status added = t.objects.add(std::move(o));
  if (added != Status::Ok) return Reply::error(added);
  t.save = persistent;
  return Reply::ok();
}

Reply ChipCore::delete_object(Transaction& t, ByteView p) {
  PayloadReader r(p, "delete object");
  uint16_t id = r.u16();
  r.expect_end();
  Object* o = t.objects.find(id);
  if (!o) return Reply::error(Status::NotFound);
  if (!allowed(t, *o, wire::Operation::Delete)) return Reply::error(Status::AccessDenied);
  t.save = t.objects.erase(id);
  return Reply::ok();
}

Reply ChipCore::read_object(Transaction& t, ByteView p) {
  PayloadReader r(p, "read object");
  uint16_t id = r.u16(), offset = r.u16(), length = r.u16();
  r.expect_end();
  if (length > wire::kMaxPayload) return Reply::error(Status::WrongLength);
  Object* o = t.objects.find(id);
  if (!o) return Reply::error(Status::NotFound);
  if (!allowed(t, *o, wire::Operation::Read)) return Reply::error(Status::AccessDenied);
  // Key objects read as their public part only: there is no way to read a
  // private scalar.
  Bytes content = o->readable_content();
  if (content.empty()) return Reply::error(Status::ObjectEmpty);
  if (offset >= content.size()) return Reply::error(Status::OutOfBounds);
  size_t n = length ? length : content.size() - offset;
  if (offset + n > content.size()) return Reply::error(Status::OutOfBounds);
  // "To the end" must still fit one response frame.
  if (n > wire::kMaxPayload) return Reply::error(Status::WrongLength);
  auto first = content.begin() + offset;
  return Reply::ok(Bytes(first, first + static_cast<std::ptrdiff_t>(n)));
}

Reply ChipCore::write_object(Transaction& t, ByteView p) {
  PayloadReader r(p, "write object");
  uint16_t id = r.u16(), offset = r.u16();
  ByteView data = r.rest();
  if (data.empty()) return Reply::error(Status::WrongLength);
  Object* o = t.objects.find(id);
  if (!o) return Reply::error(Status::NotFound);
  if (o->type != wire::ObjectType::Data && o->type != wire::ObjectType::Certificate)
    return Reply::error(Status::BadParameter);  // keys are written with import key
  if (!allowed(t, *o, wire::Operation::Write)) return Reply::error(Status::AccessDenied);
  // MODELLED: content grows without holes; a write may start at most at its end.
  if (offset > o->data.size() || size_t{offset} + data.size() > o->length)
    return Reply::error(Status::OutOfBounds);
  if (o->data.size() < offset + data.size()) o->data.resize(offset + data.size());
  std::copy(data.begin(), data.end(), o->data.begin() + offset);
  t.save = !o->temporary();
  return Reply::ok();
}

Reply ChipCore::list_objects(Transaction& t, ByteView p) {
  PayloadReader r(p, "list objects");
  uint16_t start = r.u16();
  r.expect_end();
  constexpr size_t kPerPage = (wire::kMaxPayload - 2) / wire::kListEntryBytes;
  bool more = false;
  std::vector<const Object*> page = t.objects.page(start, kPerPage, more);
  PayloadWriter w;
  w.u8(more ? 1 : 0).u8(static_cast<uint8_t>(page.size()));
  for (const Object* o : page) {
    w.u16(o->id).u8(static_cast<uint8_t>(o->type)).u8(static_cast<uint8_t>(o->property));
    w.u8(o->curve ? static_cast<uint8_t>(*o->curve) : wire::kNoCurve);
    w.u16(o->length).u16(o->used()).bytes(ByteView(o->rules, wire::kAccessRuleBytes));
  }
  return Reply::ok(w.take());
}

}  // namespace maxq::sim
