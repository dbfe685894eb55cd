// The object store on its own: ids across persistent and temporary objects,
// storage accounting, slots, the id list, records, and what reading a key
// reveals.
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

TEST_CASE("storage cost is the capacity plus the overhead", "[object_store]") {
  CHECK(storage_cost(96) == wire::kObjectOverheadBytes + 96);
  CHECK(storage_cost(198) == wire::kObjectOverheadBytes + 198);
  CHECK(storage_cost(1000) == wire::kObjectOverheadBytes + 1000);
  CHECK(storage_cost(1) == wire::kObjectOverheadBytes + 1);
}

TEST_CASE("key capacities are those of a supported curve", "[object_store]") {
  for (uint16_t c : {96, 144, 198, 192}) CHECK(is_key_capacity(ObjectType::KeyPair, c));
  for (uint16_t c : {64, 96, 132, 128}) CHECK(is_key_capacity(ObjectType::PublicKey, c));
  for (uint16_t c : {0, 32, 48, 64, 66, 97, 200})
    CHECK_FALSE(is_key_capacity(ObjectType::KeyPair, c));
  for (uint16_t c : {0, 32, 66, 144, 198}) CHECK_FALSE(is_key_capacity(ObjectType::PublicKey, c));
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
    CHECK(store.add(make(static_cast<uint16_t>(100 + i), ObjectType::KeyPair, 198,
                         ObjectProperty::Temporary)) == Status::Ok);
  CHECK(store.free_temporary_slots() == 0);
  CHECK(store.add(make(200, ObjectType::Data, 1, ObjectProperty::Temporary)) ==
        Status::NoTemporarySlot);
  CHECK(store.free_storage() == 0);  // temporaries never cost storage
}

TEST_CASE("the id list holds both kinds in id order", "[object_store]") {
  PersistentState s;
  ObjectMap temporary;
  ObjectStore store(s, temporary);
  for (uint16_t id : {5, 1, 9}) REQUIRE(store.add(make(id, ObjectType::Data, 1)) == Status::Ok);
  for (uint16_t id : {4, 7})
    REQUIRE(store.add(make(id, ObjectType::Data, 1, ObjectProperty::Temporary)) == Status::Ok);
  // Another process created a persistent 7: it shadows our temporary 7.
  s.objects.emplace(7, make(7, ObjectType::Certificate, 1));
  CHECK(store.ids() == std::vector<uint16_t>{1, 4, 5, 7, 9});
  CHECK(store.find(7)->type == ObjectType::Certificate);
}

TEST_CASE("reading a key pair reveals the public point only", "[object_store]") {
  Object o = make(1, ObjectType::KeyPair, 96);
  CHECK(o.readable_content().empty());
  CHECK_FALSE(o.initialised());
  Bytes xy(64, 0xAB);
  o.set_key(wire::Curve::P256, xy, SecretBytes(ByteView(Bytes(32, 0xCD))));
  CHECK(o.readable_content() == xy);
  CHECK(o.initialised());
  Object secret = make(2, ObjectType::SecretKey, 16);
  CHECK(secret.readable_content().empty());
}

TEST_CASE("records carry state, properties and the key policy", "[object_store]") {
  Object data = make(0x0300, ObjectType::Data, 10, ObjectProperty::Temporary);
  data.wipe_on_tamper = true;
  data.rules[0] = 0xE2;
  wire::ObjectRecord r = data.record();
  CHECK(r.id == 0x0300);
  CHECK(r.state == wire::kObjectStateEmpty);
  CHECK(r.properties == 0x05);
  CHECK(r.rules[0] == 0xE2);
  CHECK(r.length == 10);
  CHECK_FALSE(r.key);
  data.data = Bytes{1};
  CHECK(data.record().state == wire::kObjectStateInitialised);

  Object key = make(0x0101, ObjectType::KeyPair, 96);
  REQUIRE(key.record().key);  // a key object always has the policy bytes
  CHECK(key.record().key->usage1 == static_cast<uint8_t>(wire::KeyUsage::None));
  key.policy = wire::KeyPolicy{3, 0x04, 0x08, 0x01, 0x0A};
  CHECK(key.record().key->usage1 == 0x04);
  CHECK(key.record().key->algorithm2 == 0x0A);
}
