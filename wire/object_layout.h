// Object commands (PUBLIC layouts, §4.7-§4.12): create 0x10, delete 0x11,
// read 0x12, write 0x13 (MAXQ106x form: no length field), list 0x15.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::wire {

// Create object: id u16, type u8, properties u8, access conditions [9],
// length u16 (content capacity, §5.4 for keys), 4 bytes (0 for objects; a
// counter's initial/limit value) -> no data.
struct CreateObjectRequest {
  uint16_t id = 0;
  uint8_t type = 0;
  uint8_t properties = 0;
  uint8_t rules[kAccessRuleBytes] = {};
  uint16_t length = 0;
  uint32_t counter_value = 0;
};
inline constexpr size_t kCreateObjectRequestBytes = 2 + 1 + 1 + kAccessRuleBytes + 2 + 4;
Bytes encode_create_object(const CreateObjectRequest& r);
CreateObjectRequest decode_create_object(ByteView in);

// Delete object (and update counter): id u16 -> no data.
Bytes encode_object_id(uint16_t id);
uint16_t decode_object_id(ByteView in, std::string_view what);

// Read object: id u16, offset u16, length u16 -> up to `length` bytes of
// content from `offset`. MODELLED: fewer when the content ends first; length 0
// reads to the end (what fits one frame); an offset past the end is OutOfBounds.
// Key objects read as X || Y (the PSA layer's reading), never the scalar;
// certificate objects as the 24-byte header and the DER (certificate_layout.h).
struct ReadObjectRequest {
  uint16_t id = 0;
  uint16_t offset = 0;
  uint16_t length = 0;
};
Bytes encode_read_object(const ReadObjectRequest& r);
ReadObjectRequest decode_read_object(ByteView in);

// Write object (MAXQ106x): id u16, offset u16, data -> no data.
Bytes encode_write_object(uint16_t id, uint16_t offset, ByteView data);
struct WriteObjectRequest {
  uint16_t id = 0;
  uint16_t offset = 0;
  ByteView data;  // points into the decoded input
};
WriteObjectRequest decode_write_object(ByteView in);

// List objects: option 1 -> every object id, u16 each; option 0 + id u16 ->
// the object's record. MODELLED: other options are BadParameter; ids come in
// ascending order, the pre-loaded keys included, all in one answer (storage
// limits keep the list far below a frame).
inline constexpr uint8_t kListDetails = 0;
inline constexpr uint8_t kListAllIds = 1;
Bytes encode_list_all_ids();
Bytes encode_list_details(uint16_t id);
struct ListRequest {
  uint8_t option = 0;
  uint16_t id = 0;  // kListDetails only
};
ListRequest decode_list_request(ByteView in);
Bytes encode_id_list(const std::vector<uint16_t>& ids);
std::vector<uint16_t> decode_id_list(ByteView in);

// The object record of list option 0 (MAXQ106x form, §4.12): id u16, type u8,
// state u8, properties u8, access conditions [9], length u16 (16 bytes); key
// and certificate objects add key type, usage 1, algorithm 1, usage 2,
// algorithm 2 (21 bytes).
struct KeyPolicy {
  uint8_t key_type = static_cast<uint8_t>(KeyType::Ecc);
  uint8_t usage1 = static_cast<uint8_t>(KeyUsage::None);
  uint8_t algorithm1 = static_cast<uint8_t>(Algorithm::None);
  uint8_t usage2 = static_cast<uint8_t>(KeyUsage::None);
  uint8_t algorithm2 = static_cast<uint8_t>(Algorithm::None);
};
// MODELLED meaning of the state byte (the PSA layer calls it an
// initialisation state): whether the object holds content.
inline constexpr uint8_t kObjectStateEmpty = 0x00;
inline constexpr uint8_t kObjectStateInitialised = 0x01;
struct ObjectRecord {
  uint16_t id = 0;
  uint8_t type = 0;
  uint8_t state = kObjectStateEmpty;
  uint8_t properties = 0;
  uint8_t rules[kAccessRuleBytes] = {};
  uint16_t length = 0;
  std::optional<KeyPolicy> key;  // key and certificate objects
};
inline constexpr size_t kObjectRecordBytes = 16;
inline constexpr size_t kKeyObjectRecordBytes = 21;
// Key, secret-key and certificate objects carry a key policy in their record.
bool record_has_key_policy(uint8_t object_type);
Bytes encode_object_record(const ObjectRecord& r);
// Throws MalformedPayload when the size does not suit the object's type.
ObjectRecord decode_object_record(ByteView in);

}  // namespace maxq::wire
