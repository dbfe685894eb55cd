// ObjectSpec factories: the access-rule nibbles they set, and that the chip
// stores and enforces them as created.
#include <catch2/catch.hpp>

#include "test/support/temp_chip.h"
#include "transport/device.h"

using namespace maxq;
using maxq::testing::TempChip;
using transport::ObjectSpec;
using wire::Lifecycle;
using wire::Operation;

namespace {

constexpr Lifecycle kUsable[] = {Lifecycle::Delivery, Lifecycle::Initialized,
                                 Lifecycle::Operational};

bool everyone(const uint8_t (&rules)[wire::kAccessRuleBytes], Lifecycle s, Operation op) {
  return (wire::rule_roles(rules, s, op) & wire::kRoleEveryone) != 0;
}
bool admin(const uint8_t (&rules)[wire::kAccessRuleBytes], Lifecycle s, Operation op) {
  return (wire::rule_roles(rules, s, op) & wire::kRoleAdmin) != 0;
}

}  // namespace

TEST_CASE("key_pair: everyone reads and uses, only the admin changes, in every state", "[spec]") {
  ObjectSpec s = ObjectSpec::key_pair(0x0101, wire::Curve::P384);
  CHECK(s.type == wire::ObjectType::KeyPair);
  CHECK(s.property == wire::ObjectProperty::Persistent);
  CHECK(s.length == 48);
  for (Lifecycle st : kUsable) {
    INFO(static_cast<int>(st));
    CHECK(everyone(s.rules, st, Operation::Read));
    CHECK(everyone(s.rules, st, Operation::Execute));
    for (Operation op : {Operation::Write, Operation::Delete, Operation::Generate}) {
      CHECK(admin(s.rules, st, op));
      CHECK_FALSE(everyone(s.rules, st, op));
      CHECK(wire::rule_roles(s.rules, st, op) == wire::kRoleAdmin);
    }
  }
  CHECK(wire::rule_roles(s.rules, Lifecycle::Terminated, Operation::Read) == 0);
}

TEST_CASE("temporary_key_pair: everyone may do everything; data and certificate", "[spec]") {
  ObjectSpec t = ObjectSpec::temporary_key_pair(0xFF00, wire::Curve::P256);
  CHECK(t.property == wire::ObjectProperty::Temporary);
  CHECK(t.length == 32);
  for (Lifecycle st : kUsable)
    for (Operation op : {Operation::Read, Operation::Write, Operation::Delete, Operation::Generate,
                         Operation::Execute})
      CHECK(everyone(t.rules, st, op));

  ObjectSpec c = ObjectSpec::certificate(0x0201, 1500);
  CHECK(c.type == wire::ObjectType::Certificate);
  CHECK(c.length == 1500);
  ObjectSpec d = ObjectSpec::data(0x0202, 10);
  CHECK(d.type == wire::ObjectType::Data);
  for (const ObjectSpec* s : {&c, &d})
    for (Lifecycle st : kUsable) {
      CHECK(everyone(s->rules, st, Operation::Read));
      CHECK_FALSE(everyone(s->rules, st, Operation::Write));
      CHECK(admin(s->rules, st, Operation::Write));
      CHECK_FALSE(everyone(s->rules, st, Operation::Delete));
    }
  ObjectSpec p = ObjectSpec::public_key(0x0401, wire::Curve::P521);
  CHECK(p.type == wire::ObjectType::PublicKey);
  CHECK(p.length == 66);
}

TEST_CASE("the chip stores the factories' rules and lists them back", "[spec]") {
  TempChip t;
  auto dev = t.open_device();
  t.authenticate(*dev);
  ObjectSpec k = ObjectSpec::key_pair(0x0101, wire::Curve::P256);
  ObjectSpec e = ObjectSpec::temporary_key_pair(0xFF01, wire::Curve::P384);
  dev->create_object(k);
  dev->create_object(e);
  dev->generate_key(0xFF01, wire::Curve::P384);
  bool seen_k = false, seen_e = false;
  for (const auto& o : dev->list_objects()) {
    const ObjectSpec* want = o.id == k.id ? &k : o.id == e.id ? &e : nullptr;
    if (!want) continue;
    (o.id == k.id ? seen_k : seen_e) = true;
    CHECK(o.type == want->type);
    CHECK(o.property == want->property);
    CHECK(o.length == want->length);
    CHECK(std::equal(std::begin(o.rules), std::end(o.rules), std::begin(want->rules)));
  }
  CHECK(seen_k);
  CHECK(seen_e);
  // A session without the admin role may generate into the temporary pair only.
  auto plain = t.open_device();
  plain->create_object(ObjectSpec::temporary_key_pair(0xFF02, wire::Curve::P256));
  CHECK(plain->generate_key(0xFF02, wire::Curve::P256).xy.size() == 64);
  plain->delete_object(0xFF02);
}
