#include "wire/object_layout.h"

#include <algorithm>

namespace maxq::wire {

Bytes encode_create_object(const CreateObjectRequest& r) {
  PayloadWriter w;
  w.u16(r.id).u8(r.type).u8(r.properties).bytes(ByteView(r.rules, kAccessRuleBytes));
  w.u16(r.length).u32(r.counter_value);
  return w.take();
}

CreateObjectRequest decode_create_object(ByteView in) {
  PayloadReader p(in, "create object");
  CreateObjectRequest r;
  r.id = p.u16();
  r.type = p.u8();
  r.properties = p.u8();
  ByteView rules = p.bytes(kAccessRuleBytes);
  std::copy(rules.begin(), rules.end(), r.rules);
  r.length = p.u16();
  r.counter_value = p.u32();
  p.expect_end();
  return r;
}

Bytes encode_object_id(uint16_t id) {
  return PayloadWriter().u16(id).take();
}

uint16_t decode_object_id(ByteView in, std::string_view what) {
  PayloadReader p(in, what);
  uint16_t id = p.u16();
  p.expect_end();
  return id;
}

Bytes encode_read_object(const ReadObjectRequest& r) {
  return PayloadWriter().u16(r.id).u16(r.offset).u16(r.length).take();
}

ReadObjectRequest decode_read_object(ByteView in) {
  PayloadReader p(in, "read object");
  ReadObjectRequest r;
  r.id = p.u16();
  r.offset = p.u16();
  r.length = p.u16();
  p.expect_end();
  return r;
}

Bytes encode_write_object(uint16_t id, uint16_t offset, ByteView data) {
  return PayloadWriter().u16(id).u16(offset).bytes(data).take();
}

WriteObjectRequest decode_write_object(ByteView in) {
  PayloadReader p(in, "write object");
  WriteObjectRequest r;
  r.id = p.u16();
  r.offset = p.u16();
  r.data = p.rest();
  return r;
}

Bytes encode_list_all_ids() {
  return Bytes{kListAllIds};
}

Bytes encode_list_details(uint16_t id) {
  return PayloadWriter().u8(kListDetails).u16(id).take();
}

ListRequest decode_list_request(ByteView in) {
  PayloadReader p(in, "list objects");
  ListRequest r;
  r.option = p.u8();
  if (r.option == kListDetails) r.id = p.u16();
  p.expect_end();
  return r;
}

Bytes encode_id_list(const std::vector<uint16_t>& ids) {
  PayloadWriter w;
  for (uint16_t id : ids) w.u16(id);
  return w.take();
}

std::vector<uint16_t> decode_id_list(ByteView in) {
  if (in.size() % 2 != 0) throw MalformedPayload("list objects: an odd number of id bytes");
  PayloadReader p(in, "list objects");
  std::vector<uint16_t> ids;
  ids.reserve(in.size() / 2);
  while (p.remaining() > 0) ids.push_back(p.u16());
  return ids;
}

bool record_has_key_policy(uint8_t object_type) {
  switch (static_cast<ObjectType>(object_type)) {
    case ObjectType::SecretKey:
    case ObjectType::PublicKey:
    case ObjectType::KeyPair:
    case ObjectType::Certificate:
      return true;
    default:
      return false;
  }
}

Bytes encode_object_record(const ObjectRecord& r) {
  PayloadWriter w;
  w.u16(r.id).u8(r.type).u8(r.state).u8(r.properties);
  w.bytes(ByteView(r.rules, kAccessRuleBytes)).u16(r.length);
  if (record_has_key_policy(r.type)) {
    KeyPolicy k = r.key.value_or(KeyPolicy{});
    w.u8(k.key_type).u8(k.usage1).u8(k.algorithm1).u8(k.usage2).u8(k.algorithm2);
  }
  return w.take();
}

ObjectRecord decode_object_record(ByteView in) {
  PayloadReader p(in, "list objects");
  ObjectRecord r;
  r.id = p.u16();
  r.type = p.u8();
  r.state = p.u8();
  r.properties = p.u8();
  ByteView rules = p.bytes(kAccessRuleBytes);
  std::copy(rules.begin(), rules.end(), r.rules);
  r.length = p.u16();
  if (record_has_key_policy(r.type)) {
    KeyPolicy k;
    k.key_type = p.u8();
    k.usage1 = p.u8();
    k.algorithm1 = p.u8();
    k.usage2 = p.u8();
    k.algorithm2 = p.u8();
    r.key = k;
  }
  p.expect_end();
  return r;
}

}  // namespace maxq::wire
