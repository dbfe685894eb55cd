// Create, delete, read, write and list objects: success paths and every error.
#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
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

}  // namespace

TEST_CASE("create object checks layout, values, rights, ids and space", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  auto create = [&](const Bytes& p) { return h.status(Command::CreateObject, p); };
  Bytes good = data_object(0x0300, 16);
  CHECK(create(Bytes(good.begin(), good.end() - 1)) == st(Status::WrongLength));
  Bytes longer = good;
  longer.push_back(0);
  CHECK(create(longer) == st(Status::WrongLength));
  for (uint8_t type : {0, 8}) {
    Bytes p = good;
    p[2] = type;
    CHECK(create(p) == st(Status::BadParameter));
  }
  for (uint8_t property : {0, 3}) {
    Bytes p = good;
    p[3] = property;
    CHECK(create(p) == st(Status::BadParameter));
  }
  Bytes reserved = good;
  reserved.back() = 1;
  CHECK(create(reserved) == st(Status::BadParameter));
  Bytes bad_rules = good;
  bad_rules[4 + 2] = 0x10;  // reserved high nibble of the delivery execute byte
  CHECK(create(bad_rules) == st(Status::BadParameter));
  CHECK(create(payload::create(0x0300, ObjectType::KeyPair, ObjectProperty::Persistent,
                               admin_managed_rules(), 31)) == st(Status::WrongLength));
  CHECK(create(data_object(0x0300, 0)) == st(Status::WrongLength));

  CHECK(create(good) == 0);
  CHECK(create(data_object(0x0300, 8)) == st(Status::BadParameter));  // id exists
  CHECK(create(data_object(wire::kAdminKeyId, 8)) == st(Status::BadParameter));
  for (uint16_t field : {32, 48, 64, 66})
    CHECK(create(payload::create(static_cast<uint16_t>(0x0400 + field), ObjectType::KeyPair,
                                 ObjectProperty::Persistent, admin_managed_rules(), field)) == 0);

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
  CHECK(h.status(Command::DeleteObject, payload::u16(0x0300)) == 0);
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
  CHECK(h.status(Command::DeleteObject, payload::u16(0x0500)) == 0);
  CHECK(h.status(Command::CreateObject,
                 data_object(0x05FF, 4, ObjectProperty::Temporary, open_rules())) == 0);
  // A new session starts without them (RAM is lost at reset).
  Host reopened(t.open());
  CHECK(reopened.status(Command::ReadObject, payload::read(0x05FF, 0, 0)) == st(Status::NotFound));
}

TEST_CASE("delete object needs the delete rule", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  REQUIRE(h.status(Command::CreateObject, data_object(0x0300, 8)) == 0);
  Host plain(a.t.open());
  CHECK(plain.status(Command::DeleteObject, payload::u16(0x0300)) == st(Status::AccessDenied));
  CHECK(h.status(Command::DeleteObject, payload::u16(wire::kAdminKeyId)) ==
        st(Status::AccessDenied));  // nobody deletes the pre-loaded keys
  CHECK(h.status(Command::DeleteObject, Bytes{0x03}) == st(Status::WrongLength));
  CHECK(h.status(Command::DeleteObject, Bytes{0x03, 0x00, 0x00}) == st(Status::WrongLength));
  CHECK(h.status(Command::DeleteObject, payload::u16(0x0300)) == 0);
  CHECK(h.status(Command::DeleteObject, payload::u16(0x0300)) == st(Status::NotFound));
  CHECK(plain.status(Command::ReadObject, payload::read(0x0300, 0, 0)) == st(Status::NotFound));
}

TEST_CASE("write and read object content", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0300, ObjectType::Certificate, ObjectProperty::Persistent,
                                   admin_managed_rules(), 3000)) == 0);
  auto read = [&](uint16_t off, uint16_t len) {
    return h.send(Command::ReadObject, payload::read(0x0300, off, len));
  };
  auto write = [&](uint16_t off, const Bytes& d) {
    return h.status(Command::WriteObject, payload::write(0x0300, off, d));
  };
  CHECK(read(0, 0).status == st(Status::ObjectEmpty));
  Bytes cert(2500);
  for (size_t i = 0; i < cert.size(); ++i) cert[i] = static_cast<uint8_t>(i * 31);
  REQUIRE(write(0, Bytes(cert.begin(), cert.begin() + 2000)) == 0);
  REQUIRE(write(2000, Bytes(cert.begin() + 2000, cert.end())) == 0);
  CHECK(read(0, 100).payload == Bytes(cert.begin(), cert.begin() + 100));
  CHECK(read(2400, 0).payload == Bytes(cert.begin() + 2400, cert.end()));  // 0: to the end
  CHECK(read(2400, 100).payload == Bytes(cert.begin() + 2400, cert.end()));
  CHECK(read(2450, 100).status == st(Status::OutOfBounds));
  CHECK(read(2500, 0).status == st(Status::OutOfBounds));
  CHECK(read(0, 0).status == st(Status::WrongLength));  // 2500 bytes do not fit one frame
  CHECK(h.status(Command::ReadObject, payload::read(0x0300, 0, wire::kMaxPayload + 1)) ==
        st(Status::WrongLength));
  CHECK(h.status(Command::ReadObject, Bytes{3, 0, 0, 0, 0}) == st(Status::WrongLength));
  CHECK(h.status(Command::ReadObject, payload::read(0x0777, 0, 0)) == st(Status::NotFound));

  CHECK(write(0, {9, 9}) == 0);  // overwrite in place
  CHECK(read(0, 3).payload == Bytes({9, 9, cert[2]}));
  CHECK(write(2501, {1}) == st(Status::OutOfBounds));     // no holes
  CHECK(write(2999, {1, 2}) == st(Status::OutOfBounds));  // beyond the capacity
  CHECK(write(2500, Bytes(500, 7)) == 0);                 // up to exactly the capacity
  CHECK(write(0, {}) == st(Status::WrongLength));
  CHECK(h.status(Command::WriteObject, Bytes{3, 0, 0}) == st(Status::WrongLength));
  CHECK(h.status(Command::WriteObject, payload::write(0x0777, 0, Bytes{1})) ==
        st(Status::NotFound));
  CHECK(h.status(Command::WriteObject, payload::write(wire::kAdminKeyId, 0, Bytes{1})) ==
        st(Status::BadParameter));  // keys are written with import key

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

TEST_CASE("a key pair reads as curve and public point only", "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0101, ObjectType::KeyPair, ObjectProperty::Persistent,
                                   admin_managed_rules(), 32)) == 0);
  CHECK(h.status(Command::ReadObject, payload::read(0x0101, 0, 0)) == st(Status::ObjectEmpty));
  Bytes xy = h.ok(Command::ImportKey, payload::import_generate(0x0101, wire::Curve::P256));
  Bytes whole = h.ok(Command::ReadObject, payload::read(0x0101, 0, 0));
  REQUIRE(whole.size() == 1 + 64);
  CHECK(whole[0] == static_cast<uint8_t>(wire::Curve::P256));
  CHECK(Bytes(whole.begin() + 1, whole.end()) == xy);
  // Nothing lies beyond the public part.
  CHECK(h.status(Command::ReadObject, payload::read(0x0101, 65, 0)) == st(Status::OutOfBounds));
  CHECK(h.status(Command::ReadObject, payload::read(0x0101, 1, 65)) == st(Status::OutOfBounds));
}

TEST_CASE("list objects pages through persistent and temporary objects in id order",
          "[commands][objects]") {
  AdminHost a;
  Host& h = a.host;
  for (uint16_t id = 0x0200; id < 0x0200 + 140; ++id)
    REQUIRE(h.status(Command::CreateObject, data_object(id, 1)) == 0);
  REQUIRE(h.status(Command::CreateObject,
                   data_object(0x0350, 5, ObjectProperty::Temporary, open_rules())) == 0);
  REQUIRE(h.status(Command::WriteObject, payload::write(0x0350, 0, Bytes{1, 2, 3})) == 0);
  std::vector<uint16_t> ids;
  uint16_t start = 0;
  int pages = 0;
  for (bool more = true; more; ++pages) {
    Bytes r = h.ok(Command::ListObjects, payload::u16(start));
    PayloadReader in(r, "list");
    more = in.u8() != 0;
    uint8_t count = in.u8();
    for (uint8_t i = 0; i < count; ++i) {
      uint16_t id = in.u16();
      uint8_t type = in.u8(), property = in.u8(), curve = in.u8();
      uint16_t length = in.u16(), used = in.u16();
      Bytes rules = in.bytes(wire::kAccessRuleBytes).to_bytes();
      ids.push_back(id);
      if (id == 0x0350) {
        CHECK(type == static_cast<uint8_t>(ObjectType::Data));
        CHECK(property == static_cast<uint8_t>(ObjectProperty::Temporary));
        CHECK(curve == wire::kNoCurve);
        CHECK(length == 5);
        CHECK(used == 3);
        CHECK(rules == open_rules());
      }
      if (id == wire::kAdminKeyId) {
        CHECK(curve == static_cast<uint8_t>(wire::Curve::P256));
        CHECK(used == 65);
      }
    }
    in.expect_end();
    if (more) start = static_cast<uint16_t>(ids.back() + 1);
  }
  CHECK(pages == 2);
  CHECK(ids.size() == 140 + 1 + 2);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());
  CHECK(h.status(Command::ListObjects, Bytes{}) == st(Status::WrongLength));
  CHECK(h.status(Command::ListObjects, Bytes{0, 0, 0}) == st(Status::WrongLength));
  CHECK(h.ok(Command::ListObjects, payload::u16(0xFFFF)) == Bytes({0, 0}));
}
