// Create, delete, read, write and list objects: success paths and every error.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"
#include "wire/object_layout.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Curve;
using wire::ObjectProperty;
using wire::ObjectType;
using wire::Status;

namespace {

Bytes data_object(uint16_t id, uint16_t capacity, ObjectProperty p = ObjectProperty::Persistent,
                  const Bytes& r = admin_managed_rules()) {
  return payload::create(id, ObjectType::Data, p, r, capacity);
}

struct AdminHost {
  ProvisionedChip t;
  Host host{t.open()};
  AdminHost() { REQUIRE(host.authenticate(t.admin_key) == 0); }
};

wire::ObjectRecord record_of(Host& h, uint16_t id) {
  return wire::decode_object_record(h.ok(Command::ListObjects, wire::encode_list_details(id)));
}

}  // namespace

TEST_CASE("create object checks layout, values, rights, ids and space", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  auto create = [&](const Bytes& p) { return h.status(Command::CreateObject, p); };
  Bytes good = data_object(0x0300, 16);
  // The published create frame (§7) is this layout.
  CHECK(wire::encode_command(
            Command::CreateObject,
            payload::create(0x0101, ObjectType::KeyPair, ObjectProperty::Persistent,
                            Bytes({0xEE, 0xEE, 0x0E, 0xEE, 0xEE, 0x0E, 0xEE, 0xEE, 0x0E}), 96)) ==
        Bytes({0xAA, 0x00, 0x10, 0x00, 0x13, 0x01, 0x01, 0x03, 0x02, 0xEE, 0xEE, 0x0E, 0xEE,
               0xEE, 0x0E, 0xEE, 0xEE, 0x0E, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00, 0xB0, 0x4A}));
  CHECK(create(Bytes(good.begin(), good.end() - 1)) == st(Status::WrongLength));
  Bytes longer = good;
  longer.push_back(0);
  CHECK(create(longer) == st(Status::WrongLength));
  for (uint8_t type : {0, 8}) {
    Bytes p = good;
    p[2] = type;
    CHECK(create(p) == st(Status::BadParameter));
  }
  for (uint8_t property : {0x00, 0x03, 0x04, 0x07, 0x08, 0x10, 0x12}) {
    INFO("properties " << int(property));
    Bytes p = good;
    p[3] = property;
    CHECK(create(p) == st(Status::BadParameter));
  }
  Bytes counter_value = good;
  counter_value.back() = 1;  // only counters carry a value
  CHECK(create(counter_value) == st(Status::BadParameter));
  Bytes bad_rules = good;
  bad_rules[4 + 2] = 0x10;  // reserved high nibble of the delivery execute byte
  CHECK(create(bad_rules) == st(Status::BadParameter));
  // Key objects: the §5.4 capacity of some supported curve.
  for (uint16_t wrong : {0, 31, 32, 48, 64, 97, 200})
    CHECK(create(payload::create(0x0300, ObjectType::KeyPair, ObjectProperty::Persistent,
                                 admin_managed_rules(), wrong)) == st(Status::WrongLength));
  CHECK(create(payload::create(0x0300, ObjectType::PublicKey, ObjectProperty::Persistent,
                               admin_managed_rules(), 96 + 1)) == st(Status::WrongLength));
  CHECK(create(data_object(0x0300, 0)) == st(Status::WrongLength));

  CHECK(create(good) == 0);
  CHECK(create(data_object(0x0300, 8)) == st(Status::BadParameter));  // id exists
  CHECK(create(data_object(wire::kAdminKeyId, 8)) == st(Status::BadParameter));
  uint16_t id = 0x0400;
  for (uint16_t capacity : {96, 144, 198, 192})
    CHECK(create(payload::create(id++, ObjectType::KeyPair, ObjectProperty::Persistent,
                                 admin_managed_rules(), capacity)) == 0);
  for (uint16_t capacity : {64, 96, 132, 128})
    CHECK(create(payload::create(id++, ObjectType::PublicKey, ObjectProperty::Persistent,
                                 admin_managed_rules(), capacity)) == 0);
  // Wipe-on-tamper goes with either lifetime and shows in the record.
  Bytes wipe = data_object(0x0500, 8);
  wipe[3] = 0x06;
  CHECK(create(wipe) == 0);
  CHECK(record_of(h, 0x0500).properties == 0x06);

  Host plain(a.t.open());
  CHECK(plain.status(Command::CreateObject, data_object(0x0301, 8)) == st(Status::AccessDenied));
  CHECK(plain.status(Command::CreateObject,
                     data_object(0x0301, 8, ObjectProperty::Temporary, open_rules())) == 0);
}

TEST_CASE("secure storage fills up to exactly 32 KB", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  // Free storage after the two pre-loaded keys and one big object.
  size_t free = wire::kSecureStorageBytes - 2 * (wire::kObjectOverheadBytes + 64);
  uint16_t big = static_cast<uint16_t>(free - 2 * wire::kObjectOverheadBytes - 1);
  REQUIRE(h.status(Command::CreateObject, data_object(0x0300, big)) == 0);
  // Room for exactly one more object of one byte.
  CHECK(h.status(Command::CreateObject, data_object(0x0301, 2)) == st(Status::MemoryFull));
  CHECK(h.status(Command::CreateObject, data_object(0x0301, 1)) == 0);
  CHECK(h.status(Command::CreateObject, data_object(0x0302, 1)) == st(Status::MemoryFull));
  // Temporary objects live in RAM, not in secure storage.
  CHECK(h.status(Command::CreateObject,
                 data_object(0x0303, 100, ObjectProperty::Temporary, open_rules())) == 0);
  // Deleting frees the space again.
  CHECK(h.status(Command::DeleteObject, wire::encode_object_id(0x0300)) == 0);
  CHECK(h.status(Command::CreateObject, data_object(0x0302, 1)) == 0);
}

TEST_CASE("temporary objects are limited and belong to their session", "[commands][objects]") {
  ProvisionedChip t;
  Host h(t.open());
  for (uint16_t i = 0; i < wire::kTemporarySlots; ++i)
    REQUIRE(h.status(Command::CreateObject, data_object(static_cast<uint16_t>(0x0500 + i), 4,
                                                        ObjectProperty::Temporary, open_rules())) ==
            0);
  CHECK(h.status(Command::CreateObject, data_object(0x05FF, 4, ObjectProperty::Temporary,
                                                    open_rules())) == st(Status::NoTemporarySlot));
  CHECK(h.status(Command::CreateObject, data_object(0x0500, 4, ObjectProperty::Temporary,
                                                    open_rules())) == st(Status::BadParameter));
  Host other(t.open());
  CHECK(other.status(Command::ReadObject, payload::read(0x0500, 0, 0)) == st(Status::NotFound));
  CHECK(other.status(Command::CreateObject,
                     data_object(0x0500, 4, ObjectProperty::Temporary, open_rules())) == 0);
  // Deleting one frees its slot.
  CHECK(h.status(Command::DeleteObject, wire::encode_object_id(0x0500)) == 0);
  CHECK(h.status(Command::CreateObject,
                 data_object(0x05FF, 4, ObjectProperty::Temporary, open_rules())) == 0);
  // A new session starts without them (RAM is lost at reset).
  Host reopened(t.open());
  CHECK(reopened.status(Command::ReadObject, payload::read(0x05FF, 0, 0)) == st(Status::NotFound));
}

TEST_CASE("delete object needs the delete rule", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  auto del = [](Host& host, uint16_t id) {
    return host.status(Command::DeleteObject, wire::encode_object_id(id));
  };
  REQUIRE(h.status(Command::CreateObject, data_object(0x0300, 8)) == 0);
  Host plain(a.t.open());
  CHECK(del(plain, 0x0300) == st(Status::AccessDenied));
  CHECK(del(h, wire::kAdminKeyId) ==
        st(Status::AccessDenied));  // nobody deletes the pre-loaded keys
  CHECK(del(h, wire::kKeyImportKeyId) == st(Status::AccessDenied));
  CHECK(h.status(Command::DeleteObject, Bytes{0x03}) == st(Status::WrongLength));
  CHECK(h.status(Command::DeleteObject, Bytes{0x03, 0x00, 0x00}) == st(Status::WrongLength));
  CHECK(del(h, 0x0300) == 0);
  CHECK(del(h, 0x0300) == st(Status::NotFound));
  CHECK(plain.status(Command::ReadObject, payload::read(0x0300, 0, 0)) == st(Status::NotFound));
}

TEST_CASE("write and read a data object", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  REQUIRE(h.status(Command::CreateObject, data_object(0x0300, 3000)) == 0);
  auto read = [&](uint16_t off, uint16_t len) {
    return h.send(Command::ReadObject, payload::read(0x0300, off, len));
  };
  auto write = [&](uint16_t off, const Bytes& d) {
    return h.status(Command::WriteObject, payload::write(0x0300, off, d));
  };
  CHECK(read(0, 0).status == st(Status::ObjectEmpty));
  Bytes content(2500);
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<uint8_t>(i * 31);
  REQUIRE(write(0, Bytes(content.begin(), content.begin() + 2000)) == 0);
  REQUIRE(write(2000, Bytes(content.begin() + 2000, content.end())) == 0);
  CHECK(read(0, 100).payload == Bytes(content.begin(), content.begin() + 100));
  CHECK(read(2400, 0).payload == Bytes(content.begin() + 2400, content.end()));  // 0: to the end
  CHECK(read(2400, 100).payload == Bytes(content.begin() + 2400, content.end()));
  CHECK(read(2450, 100).payload == Bytes(content.begin() + 2450, content.end()));  // fewer
  CHECK(read(2499, 0).payload == Bytes{content.back()});
  CHECK(read(2500, 0).status == st(Status::OutOfBounds));
  CHECK(read(2600, 1).status == st(Status::OutOfBounds));
  // To the end, but never more than one frame holds.
  CHECK(read(0, 0).payload == Bytes(content.begin(), content.begin() + wire::kMaxPayload));
  CHECK(read(0, 3000).payload.size() == wire::kMaxPayload);
  CHECK(h.status(Command::ReadObject, Bytes{3, 0, 0, 0, 0}) == st(Status::WrongLength));
  CHECK(h.status(Command::ReadObject, payload::read(0x0777, 0, 0)) == st(Status::NotFound));

  CHECK(write(0, {9, 9}) == 0);  // overwrite in place
  CHECK(read(0, 3).payload == Bytes({9, 9, content[2]}));
  CHECK(write(2501, {1}) == st(Status::OutOfBounds));     // no holes
  CHECK(write(2999, {1, 2}) == st(Status::OutOfBounds));  // beyond the capacity
  CHECK(write(2500, Bytes(500, 7)) == 0);                 // up to exactly the capacity
  CHECK(write(0, {}) == st(Status::WrongLength));
  CHECK(h.status(Command::WriteObject, Bytes{3, 0, 0}) == st(Status::WrongLength));
  CHECK(h.status(Command::WriteObject, payload::write(0x0777, 0, Bytes{1})) ==
        st(Status::NotFound));
  // Keys come with import key, certificates with import root certificate.
  CHECK(h.status(Command::WriteObject, payload::write(wire::kAdminKeyId, 0, Bytes{1})) ==
        st(Status::BadParameter));
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0310, ObjectType::Certificate, ObjectProperty::Persistent,
                                   admin_managed_rules(), 1000)) == 0);
  CHECK(h.status(Command::WriteObject, payload::write(0x0310, 0, Bytes{0x30})) ==
        st(Status::BadParameter));

  Host plain(a.t.open());
  CHECK(plain.status(Command::WriteObject, payload::write(0x0300, 0, Bytes{1})) ==
        st(Status::AccessDenied));
  CHECK(plain.send(Command::ReadObject, payload::read(0x0300, 0, 2)).payload == Bytes({9, 9}));
  REQUIRE(h.status(Command::CreateObject,
                   data_object(0x0301, 8, ObjectProperty::Persistent,
                               rules({{wire::Operation::Read, wire::kRoleAdmin}}))) == 0);
  REQUIRE(h.status(Command::CreateObject,
                   data_object(0x0302, 8, ObjectProperty::Persistent, rules({}))) == 0);
  CHECK(h.status(Command::WriteObject, payload::write(0x0302, 0, Bytes{1})) ==
        st(Status::AccessDenied));
  CHECK(plain.status(Command::ReadObject, payload::read(0x0301, 0, 0)) == st(Status::AccessDenied));
}

TEST_CASE("a key pair reads as X || Y only", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0101, ObjectType::KeyPair, ObjectProperty::Persistent,
                                   admin_managed_rules(), 96)) == 0);
  CHECK(h.status(Command::ReadObject, payload::read(0x0101, 0, 0)) == st(Status::ObjectEmpty));
  REQUIRE(h.generate(0x0101, Curve::P256) == 0);
  Bytes whole = h.ok(Command::ReadObject, payload::read(0x0101, 0, 0));
  REQUIRE(whole.size() == 64);
  CHECK(RefCrypto().public_key(Curve::P256, whole) != nullptr);  // a point on the curve
  CHECK(h.ok(Command::ReadObject, payload::read(0x0101, 32, 32)) ==
        Bytes(whole.begin() + 32, whole.end()));
  // Nothing lies beyond the public part: no scalar.
  CHECK(h.status(Command::ReadObject, payload::read(0x0101, 64, 0)) == st(Status::OutOfBounds));
  CHECK(h.ok(Command::ReadObject, payload::read(0x0101, 1, 96)).size() == 63);
  // The pre-loaded keys read the same way.
  CHECK(h.ok(Command::ReadObject, payload::read(wire::kAdminKeyId, 0, 0)).size() == 64);
}

TEST_CASE("list objects: every id, and each object's record", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  // The published list frames (§7) are these layouts.
  CHECK(wire::encode_command(Command::ListObjects, wire::encode_list_all_ids()) ==
        Bytes({0xAA, 0x00, 0x15, 0x00, 0x01, 0x01, 0xDC, 0x56}));
  CHECK(wire::encode_command(Command::ListObjects, wire::encode_list_details(0x1000)) ==
        Bytes({0xAA, 0x00, 0x15, 0x00, 0x03, 0x00, 0x10, 0x00, 0x85, 0x46}));
  for (uint16_t id = 0x0200; id < 0x0200 + 140; ++id)
    REQUIRE(h.status(Command::CreateObject, data_object(id, 1)) == 0);
  REQUIRE(h.status(Command::CreateObject,
                   data_object(0x0350, 5, ObjectProperty::Temporary, open_rules())) == 0);
  REQUIRE(h.status(Command::WriteObject, payload::write(0x0350, 0, Bytes{1, 2, 3})) == 0);
  h.make_key_pair(0x0101, Curve::P384);

  std::vector<uint16_t> ids = wire::decode_id_list(h.ok(Command::ListObjects, Bytes{0x01}));
  CHECK(ids.size() == 140 + 1 + 1 + 2);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK(ids.front() == 0x0101);
  CHECK(ids.back() == wire::kAdminKeyId);
  CHECK(std::count(ids.begin(), ids.end(), 0x0350) == 1);
  CHECK(std::count(ids.begin(), ids.end(), wire::kKeyImportKeyId) == 1);
  // Another session does not see this one's temporary object.
  Host other(a.t.open());
  CHECK(wire::decode_id_list(other.ok(Command::ListObjects, Bytes{0x01})).size() == ids.size() - 1);

  Bytes raw = h.ok(Command::ListObjects, wire::encode_list_details(0x0350));
  REQUIRE(raw.size() == wire::kObjectRecordBytes);
  wire::ObjectRecord temp = wire::decode_object_record(raw);
  CHECK(temp.id == 0x0350);
  CHECK(temp.type == static_cast<uint8_t>(ObjectType::Data));
  CHECK(temp.state == wire::kObjectStateInitialised);
  CHECK(temp.properties == static_cast<uint8_t>(ObjectProperty::Temporary));
  CHECK(Bytes(temp.rules, temp.rules + wire::kAccessRuleBytes) == open_rules());
  CHECK(temp.length == 5);
  CHECK_FALSE(temp.key);
  CHECK(record_of(h, 0x0200).state == wire::kObjectStateEmpty);

  raw = h.ok(Command::ListObjects, wire::encode_list_details(0x0101));
  REQUIRE(raw.size() == wire::kKeyObjectRecordBytes);
  wire::ObjectRecord key = wire::decode_object_record(raw);
  CHECK(key.type == static_cast<uint8_t>(ObjectType::KeyPair));
  CHECK(key.state == wire::kObjectStateInitialised);
  CHECK(key.properties == static_cast<uint8_t>(ObjectProperty::Persistent));
  CHECK(key.length == 144);
  REQUIRE(key.key);
  CHECK(key.key->key_type == static_cast<uint8_t>(wire::KeyType::Ecc));
  CHECK(key.key->usage1 == static_cast<uint8_t>(wire::KeyUsage::DataSignature));
  CHECK(key.key->algorithm1 == static_cast<uint8_t>(wire::Algorithm::EcdsaSha256));
  CHECK(key.key->usage2 == static_cast<uint8_t>(wire::KeyUsage::None));
  CHECK(key.key->algorithm2 == static_cast<uint8_t>(wire::Algorithm::None));

  wire::ObjectRecord import_key = record_of(h, wire::kKeyImportKeyId);
  CHECK(import_key.type == static_cast<uint8_t>(ObjectType::PublicKey));
  CHECK(import_key.length == 64);
  REQUIRE(import_key.key);
  CHECK(import_key.key->usage1 == static_cast<uint8_t>(wire::KeyUsage::KeyImport));
  CHECK(record_of(h, wire::kAdminKeyId).key->usage1 ==
        static_cast<uint8_t>(wire::KeyUsage::AdminAuthentication));
  // Everyone reads the pre-loaded keys; the admin writes them; nobody deletes them.
  CHECK(wire::rule_roles(import_key.rules, wire::Lifecycle::Operational, wire::Operation::Read) ==
        wire::kRoleAlways);
  CHECK(wire::rule_roles(import_key.rules, wire::Lifecycle::Operational, wire::Operation::Write) ==
        wire::kRoleAdmin);
  CHECK(wire::rule_roles(import_key.rules, wire::Lifecycle::Delivery, wire::Operation::Delete) ==
        0);

  CHECK(h.status(Command::ListObjects, wire::encode_list_details(0x0777)) == st(Status::NotFound));
  CHECK(h.status(Command::ListObjects, Bytes{0x02}) == st(Status::BadParameter));
  CHECK(h.status(Command::ListObjects, Bytes{}) == st(Status::WrongLength));
  CHECK(h.status(Command::ListObjects, Bytes{0x00, 0x01}) == st(Status::WrongLength));
  CHECK(h.status(Command::ListObjects, Bytes{0x01, 0x00}) == st(Status::WrongLength));
}
