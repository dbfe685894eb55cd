// ObjectSpec factories: key-object capacities (§5.4), the public role bits of
// their access conditions (§5.3), the create-object frame they make (§7), and
// that the chip stores and enforces them as created.
#include <catch2/catch.hpp>

#include "transport/device.h"
#include "transport/recording_bus.h"

using namespace maxq;
using maxq::testing::hex;
using maxq::testing::RecordedChip;
using maxq::testing::TempChip;
using transport::ObjectSpec;
using wire::Curve;
using wire::Lifecycle;
using wire::Operation;

namespace {

constexpr Lifecycle kUsable[] = {Lifecycle::Delivery, Lifecycle::Initialized,
                                 Lifecycle::Operational};

Bytes rules_of(const ObjectSpec& s) {
  return Bytes(std::begin(s.rules), std::end(s.rules));
}

}  // namespace

TEST_CASE("key objects are sized by their content: X, Y and the scalar", "[spec]") {
  struct Row {
    Curve curve;
    uint16_t pair, pub;
  };
  // The capacities of §5.4 (PSA key_mgmt_setup, WOLF ecc_set_key).
  for (Row r : {Row{Curve::P256, 96, 64}, Row{Curve::P384, 144, 96}, Row{Curve::P521, 198, 132},
                Row{Curve::Brainpool256, 96, 64}, Row{Curve::Brainpool384, 144, 96},
                Row{Curve::Brainpool512, 192, 128}}) {
    INFO("curve " << static_cast<int>(r.curve));
    CHECK(ObjectSpec::key_pair(0x0101, r.curve).length == r.pair);
    CHECK(ObjectSpec::temporary_key_pair(0xFF00, r.curve).length == r.pair);
    CHECK(ObjectSpec::public_key(0x0401, r.curve).length == r.pub);
  }
  // A curve the host does not know: no capacity, which the chip refuses.
  CHECK(ObjectSpec::key_pair(0x0101, static_cast<Curve>(9)).length == 0);
  CHECK(ObjectSpec::certificate(0x0201, 1500).length == 1500);
  CHECK(ObjectSpec::data(0x0202, 10).length == 10);
}

TEST_CASE("access conditions use the public role bits, the same in every usable state", "[spec]") {
  // Per state: read | write << 4, delete | generate << 4, execute. Everyone is
  // E (ADMIN 2 | SECUREBOOT 4 | HOST 8), the admin alone 2.
  const Bytes key_rules = hex("2E 22 0E  2E 22 0E  2E 22 0E");
  ObjectSpec k = ObjectSpec::key_pair(0x0101, Curve::P384);
  CHECK(k.type == wire::ObjectType::KeyPair);
  CHECK(k.property == wire::ObjectProperty::Persistent);
  CHECK(rules_of(k) == key_rules);
  CHECK(rules_of(ObjectSpec::public_key(0x0401, Curve::P521)) == key_rules);
  for (Lifecycle st : kUsable) {
    INFO(static_cast<int>(st));
    CHECK(wire::rule_roles(k.rules, st, Operation::Read) == wire::kRoleAlways);
    CHECK(wire::rule_roles(k.rules, st, Operation::Execute) == wire::kRoleAlways);
    for (Operation op : {Operation::Write, Operation::Delete, Operation::Generate})
      CHECK(wire::rule_roles(k.rules, st, op) == wire::kRoleAdmin);
  }
  CHECK(wire::rule_roles(k.rules, Lifecycle::Terminated, Operation::Read) == 0);

  ObjectSpec e = ObjectSpec::temporary_key_pair(0xFF00, Curve::P256);
  CHECK(e.property == wire::ObjectProperty::Temporary);
  CHECK(rules_of(e) == hex("EE EE 0E  EE EE 0E  EE EE 0E"));

  // Data and certificates: everyone reads, the admin writes and deletes,
  // nobody generates or executes.
  const Bytes data_rules = hex("2E 02 00  2E 02 00  2E 02 00");
  ObjectSpec c = ObjectSpec::certificate(0x0201, 1500);
  CHECK(c.type == wire::ObjectType::Certificate);
  CHECK(rules_of(c) == data_rules);
  ObjectSpec d = ObjectSpec::data(0x0202, 10);
  CHECK(d.type == wire::ObjectType::Data);
  CHECK(rules_of(d) == data_rules);
}

TEST_CASE("create object sends the document's frame for a key pair", "[spec]") {
  RecordedChip r;
  r.dev->as_admin(r.t.admin(), [&] {
    // §7: P-256 key pair 0x0101, persistent, ahs=rwdgx in all three states, capacity 96.
    ObjectSpec open = ObjectSpec::key_pair(0x0101, Curve::P256);
    for (Lifecycle st : kUsable)
      for (Operation op : {Operation::Read, Operation::Write, Operation::Delete,
                           Operation::Generate, Operation::Execute})
        wire::set_rule_roles(open.rules, st, op, wire::kRoleAlways);
    r.bus->clear();
    r.dev->create_object(open);
    CHECK(r.bus->raw_frames() ==
          std::vector<Bytes>{hex("AA 00 10 00 13 01 01 03 02 EE EE 0E EE EE 0E EE EE 0E 00 60 "
                                 "00 00 00 00 B0 4A")});
    // The factory's own rules: only the rule bytes differ.
    r.bus->clear();
    r.dev->create_object(ObjectSpec::key_pair(0x0102, Curve::P256));
    wire::CommandFrame f;
    REQUIRE(r.bus->raw_frames().size() == 1);
    REQUIRE(wire::decode_command(r.bus->raw_frames()[0], f) == wire::FrameError::None);
    CHECK(f.command == static_cast<uint8_t>(wire::Command::CreateObject));
    CHECK(f.payload == hex("01 02 03 02 2E 22 0E 2E 22 0E 2E 22 0E 00 60 00 00 00 00"));
  });
}

TEST_CASE("the chip stores the factories' rules and lists them back", "[spec]") {
  TempChip t;
  auto dev = t.open_device();
  ObjectSpec k = ObjectSpec::key_pair(0x0101, Curve::P256);
  ObjectSpec e = ObjectSpec::temporary_key_pair(0xFF01, Curve::P384);
  dev->as_admin(t.admin(), [&] {
    dev->create_object(k);
    dev->create_object(e);
    dev->generate_key(0xFF01, Curve::P384, t.key_import());
  });
  bool seen_k = false, seen_e = false;
  for (const auto& o : dev->list_objects()) {
    const ObjectSpec* want = o.id == k.id ? &k : o.id == e.id ? &e : nullptr;
    if (!want) continue;
    (o.id == k.id ? seen_k : seen_e) = true;
    CHECK(o.type == want->type);
    CHECK(o.properties == static_cast<uint8_t>(want->property));
    CHECK(o.length == want->length);
    CHECK(std::equal(std::begin(o.rules), std::end(o.rules), std::begin(want->rules)));
    CHECK(o.initialised == (o.id == e.id));  // only the temporary pair holds a key
  }
  CHECK(seen_k);
  CHECK(seen_e);
  // A session without the admin role may generate into a temporary pair only.
  auto plain = t.open_device();
  plain->create_object(ObjectSpec::temporary_key_pair(0xFF02, Curve::P256));
  CHECK(plain->generate_key(0xFF02, Curve::P256, t.key_import()).xy.size() == 64);
  plain->delete_object(0xFF02);
  CHECK_THROWS_AS(plain->generate_key(0x0101, Curve::P256, t.key_import()), transport::ChipError);
}
