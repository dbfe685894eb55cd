// Object commands: create, delete, read, write, list.
#include <algorithm>

#include "simulator/chip_core.h"
#include "wire/object_layout.h"

namespace maxq::sim {

using wire::Status;

namespace {

// The execute byte of each state has a reserved high nibble (protocol.h).
bool rules_well_formed(const uint8_t (&rules)[wire::kAccessRuleBytes]) {
  for (size_t state = 0; state < 3; ++state)
    if (rules[state * 3 + 2] & 0xF0) return false;
  return true;
}

bool is_counter(wire::ObjectType type) {
  return type == wire::ObjectType::Counter || type == wire::ObjectType::CounterAlt;
}

}  // namespace

Reply ChipCore::create_object(Transaction& t, ByteView p) {
  wire::CreateObjectRequest q = wire::decode_create_object(p);
  if (q.type < 1 || q.type > 7) return Reply::error(Status::BadParameter);
  // Exactly one of temporary / persistent, optionally wipe-on-tamper.
  const uint8_t lifetime = q.properties & static_cast<uint8_t>(~wire::kPropertyWipeOnTamper);
  if (lifetime != static_cast<uint8_t>(wire::ObjectProperty::Temporary) &&
      lifetime != static_cast<uint8_t>(wire::ObjectProperty::Persistent))
    return Reply::error(Status::BadParameter);
  if (!rules_well_formed(q.rules)) return Reply::error(Status::BadParameter);
  Object o;
  o.id = q.id;
  o.type = static_cast<wire::ObjectType>(q.type);
  o.property = static_cast<wire::ObjectProperty>(lifetime);
  o.wipe_on_tamper = (q.properties & wire::kPropertyWipeOnTamper) != 0;
  std::copy(std::begin(q.rules), std::end(q.rules), o.rules);
  o.length = q.length;
  if (!is_counter(o.type) && q.counter_value != 0) return Reply::error(Status::BadParameter);
  // A key object's capacity is that of some supported curve (§5.4); the curve
  // itself is fixed when a key is imported or generated.
  if (o.is_ec_key() ? !is_key_capacity(o.type, o.length) : o.length == 0)
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
  uint16_t id = wire::decode_object_id(p, "delete object");
  Object* o = t.objects.find(id);
  if (!o) return Reply::error(Status::NotFound);
  if (!allowed(t, *o, wire::Operation::Delete)) return Reply::error(Status::AccessDenied);
  t.save = t.objects.erase(id);
  return Reply::ok();
}

Reply ChipCore::read_object(Transaction& t, ByteView p) {
  wire::ReadObjectRequest q = wire::decode_read_object(p);
  Object* o = t.objects.find(q.id);
  if (!o) return Reply::error(Status::NotFound);
  if (!allowed(t, *o, wire::Operation::Read)) return Reply::error(Status::AccessDenied);
  // Key objects read as their public part only: there is no way to read a
  // private scalar.
  Bytes content = o->readable_content();
  if (content.empty()) return Reply::error(Status::ObjectEmpty);
  // MODELLED: an offset at or past the end is OutOfBounds; up to `length`
  // bytes follow, fewer when the content ends first; length 0 reads to the
  // end; never more than one response frame holds.
  if (q.offset >= content.size()) return Reply::error(Status::OutOfBounds);
  size_t n = content.size() - q.offset;
  if (q.length != 0) n = std::min<size_t>(n, q.length);
  n = std::min(n, wire::kMaxPayload);
  auto first = content.begin() + q.offset;
  return Reply::ok(Bytes(first, first + static_cast<std::ptrdiff_t>(n)));
}

Reply ChipCore::write_object(Transaction& t, ByteView p) {
  wire::WriteObjectRequest q = wire::decode_write_object(p);
  if (q.data.empty()) return Reply::error(Status::WrongLength);
  Object* o = t.objects.find(q.id);
  if (!o) return Reply::error(Status::NotFound);
  // Keys come with import key, certificates with import root certificate.
  // MODELLED: any other type is BadParameter.
  if (o->type != wire::ObjectType::Data) return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, wire::Operation::Write)) return Reply::error(Status::AccessDenied);
  // MODELLED: content grows without holes; a write may start at most at its end.
  if (q.offset > o->data.size() || size_t{q.offset} + q.data.size() > o->length)
    return Reply::error(Status::OutOfBounds);
  if (o->data.size() < q.offset + q.data.size()) o->data.resize(q.offset + q.data.size());
  std::copy(q.data.begin(), q.data.end(), o->data.begin() + q.offset);
  t.save = !o->temporary();
  return Reply::ok();
}

// MODELLED: listing needs no access rule; the record's state byte says whether
// the object holds content; option 1 lists every id this
// session sees (persistent and its temporary objects) in ascending order, in
// one answer; options other than 0 and 1 are BadParameter.
Reply ChipCore::list_objects(Transaction& t, ByteView p) {
  wire::ListRequest q = wire::decode_list_request(p);
  if (q.option == wire::kListAllIds) return Reply::ok(wire::encode_id_list(t.objects.ids()));
  if (q.option != wire::kListDetails) return Reply::error(Status::BadParameter);
  const Object* o = t.objects.find(q.id);
  if (!o) return Reply::error(Status::NotFound);
  return Reply::ok(wire::encode_object_record(o->record()));
}

}  // namespace maxq::sim
