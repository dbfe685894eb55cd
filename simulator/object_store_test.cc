// The object store on its own: ids across persistent and temporary objects,
// storage accounting, slots, paging, and what reading a key reveals.
#include "simulator/object_store.h"

#include <catch2/catch.hpp>

using namespace maxq;
using namespace maxq::sim;
using wire::ObjectProperty;
using wire::ObjectType;
using wire::Status;

namespace {

Object make(uint16_t id, ObjectType type, uint16_t length,
            ObjectProperty p = ObjectProperty::Persistent) {
  Object o;
  o.id = id;
  o.type = type;
  o.property = p;
  o.length = length;
  return o;
}

}  // namespace

TEST_CASE("storage cost follows the object type", "[object_store]") {
  CHECK(storage_cost(ObjectType::KeyPair, 32) == wire::kObjectOverheadBytes + 96);
  CHECK(storage_cost(ObjectType::KeyPair, 66) == wire::kObjectOverheadBytes + 198);
  CHECK(storage_cost(ObjectType::PublicKey, 48) == wire::kObjectOverheadBytes + 96);
  CHECK(storage_cost(ObjectType::Data, 1000) == wire::kObjectOverheadBytes + 1000);
  CHECK(storage_cost(ObjectType::Certificate, 1) == wire::kObjectOverheadBytes + 1);
}

TEST_CASE("ids are unique across persistent and temporary objects", "[object_store]") {
  PersistentState s;
  ObjectMap temporary;
  ObjectStore store(s, temporary);
  CHECK(store.add(make(1, ObjectType::Data, 10)) == Status::Ok);
  CHECK(store.add(make(2, ObjectType::Data, 10, ObjectProperty::Temporary)) == Status::Ok);
  CHECK(store.add(make(1, ObjectType::Data, 10, ObjectProperty::Temporary)) ==
        Status::BadParameter);
  CHECK(store.add(make(2, ObjectType::Data, 10)) == Status::BadParameter);
  CHECK(s.objects.size() == 1);
  CHECK(temporary.size() == 1);
  REQUIRE(store.find(2));
  CHECK(store.find(2)->temporary());
  CHECK(store.find(3) == nullptr);
  CHECK(store.erase(1));        // persistent: the state must be saved
  CHECK_FALSE(store.erase(2));  // temporary: nothing to save
  CHECK(store.find(1) == nullptr);
  CHECK(store.find(2) == nullptr);
}

TEST_CASE("secure storage and temporary slots run out", "[object_store]") {
  PersistentState s;
  ObjectMap temporary;
  ObjectStore store(s, temporary);
  CHECK(store.free_storage() == wire::kSecureStorageBytes);
  uint16_t big = static_cast<uint16_t>(wire::kSecureStorageBytes - wire::kObjectOverheadBytes);
  CHECK(store.add(make(1, ObjectType::Data, static_cast<uint16_t>(big + 1))) == Status::MemoryFull);
  CHECK(store.add(make(1, ObjectType::Data, big)) == Status::Ok);
  CHECK(store.free_storage() == 0);
  CHECK(store.add(make(2, ObjectType::Data, 1)) == Status::MemoryFull);
  for (uint16_t i = 0; i < wire::kTemporarySlots; ++i)
    CHECK(store.add(make(static_cast<uint16_t>(100 + i), ObjectType::KeyPair, 66,
                         ObjectProperty::Temporary)) == Status::Ok);
  CHECK(store.free_temporary_slots() == 0);
  CHECK(store.add(make(200, ObjectType::Data, 1, ObjectProperty::Temporary)) ==
        Status::NoTemporarySlot);
  CHECK(store.free_storage() == 0);  // temporaries never cost storage
}

TEST_CASE("pages list both kinds in id order", "[object_store]") {
  PersistentState s;
  ObjectMap temporary;
  ObjectStore store(s, temporary);
  for (uint16_t id : {5, 1, 9}) REQUIRE(store.add(make(id, ObjectType::Data, 1)) == Status::Ok);
  for (uint16_t id : {4, 7})
    REQUIRE(store.add(make(id, ObjectType::Data, 1, ObjectProperty::Temporary)) == Status::Ok);
  // Another process created a persistent 7: it shadows our temporary 7.
  s.objects.emplace(7, make(7, ObjectType::Certificate, 1));
  auto ids = [](const std::vector<const Object*>& page) {
    std::vector<uint16_t> out;
    for (const Object* o : page) out.push_back(o->id);
    return out;
  };
  bool more = false;
  CHECK(ids(store.page(0, 100, more)) == std::vector<uint16_t>{1, 4, 5, 7, 9});
  CHECK_FALSE(more);
  CHECK(store.find(7)->type == ObjectType::Certificate);
  CHECK(ids(store.page(0, 2, more)) == std::vector<uint16_t>{1, 4});
  CHECK(more);
  CHECK(ids(store.page(5, 2, more)) == std::vector<uint16_t>{5, 7});
  CHECK(more);
  CHECK(ids(store.page(8, 2, more)) == std::vector<uint16_t>{9});
  CHECK_FALSE(more);
}

TEST_CASE("reading a key pair reveals the curve and public point only", "[object_store]") {
  Object o = make(1, ObjectType::KeyPair, 32);
  CHECK(o.readable_content().empty());
  CHECK(o.used() == 0);
  Bytes xy(64, 0xAB);
  o.set_key(wire::Curve::P256, xy, SecretBytes(ByteView(Bytes(32, 0xCD))));
  Bytes content = o.readable_content();
  REQUIRE(content.size() == 65);
  CHECK(content[0] == static_cast<uint8_t>(wire::Curve::P256));
  CHECK(std::count(content.begin(), content.end(), 0xCD) == 0);
  CHECK(o.used() == 65);
  Object secret = make(2, ObjectType::SecretKey, 16);
  CHECK(secret.readable_content().empty());
}
