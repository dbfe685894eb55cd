// Which object a command names, and who owns temporary objects.
#include "broker/temporary_objects.h"

#include <catch2/catch.hpp>

#include "wire/key_layout.h"
#include "wire/object_layout.h"
#include "wire/protocol.h"

using namespace maxq;
using namespace maxq::broker;

namespace {
uint8_t code(wire::Command c) {
  return static_cast<uint8_t>(c);
}
}  // namespace

TEST_CASE("the object a command names") {
  wire::CreateObjectRequest create;
  create.id = 0xFF01;
  create.type = static_cast<uint8_t>(wire::ObjectType::KeyPair);
  create.properties = static_cast<uint8_t>(wire::ObjectProperty::Temporary);
  create.length = 96;
  Bytes c = wire::encode_create_object(create);
  CHECK(named_object(code(wire::Command::CreateObject), c) == 0xFF01);
  auto parsed = parse_create(c);
  REQUIRE(parsed);
  CHECK(parsed->temporary);
  create.properties = static_cast<uint8_t>(wire::ObjectProperty::Persistent);
  CHECK_FALSE(parse_create(wire::encode_create_object(create))->temporary);
  CHECK_FALSE(parse_create(Bytes{0xFF}));

  CHECK(named_object(code(wire::Command::DeleteObject), wire::encode_object_id(0x0101)) == 0x0101);
  CHECK(named_object(code(wire::Command::ReadObject), wire::encode_read_object({0x0202, 0, 0})) ==
        0x0202);
  CHECK(named_object(code(wire::Command::WriteObject),
                     wire::encode_write_object(0x0303, 0, Bytes{1})) == 0x0303);
  wire::SignRequest sign;
  sign.key_id = 0x0404;
  sign.data = Bytes(32, 7);
  CHECK(named_object(code(wire::Command::SignVerify), wire::encode_sign_request(sign)) == 0x0404);
  CHECK(named_object(code(wire::Command::Ping), Bytes{1, 2}) == std::nullopt);
  // Too short to name anything: the chip answers for itself.
  CHECK(named_object(code(wire::Command::SignVerify), Bytes{2}) == std::nullopt);
  CHECK(named_object(code(wire::Command::DeleteObject), Bytes{1}) == std::nullopt);
}

TEST_CASE("temporary objects are owned per client") {
  TemporaryObjects t;
  t.created(1, 0xFF00);
  t.created(1, 0xFF01);
  t.created(2, 0xFF02);
  CHECK(t.owner(0xFF00) == 1);
  CHECK(t.owner(0xFF02) == 2);
  CHECK(t.owner(0x0101) == 0);
  CHECK(t.count(1) == 2);
  CHECK(t.owned_by(1) == std::vector<uint16_t>{0xFF00, 0xFF01});
  t.deleted(0xFF00);
  CHECK(t.count(1) == 1);
  t.forget_all();
  CHECK(t.count(1) == 0);
  CHECK(t.count(2) == 0);
}
