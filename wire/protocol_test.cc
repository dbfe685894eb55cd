#include "wire/protocol.h"

#include <catch2/catch.hpp>

using namespace maxq::wire;

TEST_CASE("access rule nibbles are independent", "[protocol]") {
  uint8_t rules[kAccessRuleBytes] = {};
  const Lifecycle states[] = {Lifecycle::Delivery, Lifecycle::Initialized, Lifecycle::Operational};
  const Operation ops[] = {Operation::Read, Operation::Write, Operation::Delete,
                           Operation::Generate, Operation::Execute};
  uint8_t v = 1;
  for (Lifecycle s : states)
    for (Operation op : ops) set_rule_roles(rules, s, op, static_cast<uint8_t>(v++ & 0x0F));
  v = 1;
  for (Lifecycle s : states)
    for (Operation op : ops) CHECK(rule_roles(rules, s, op) == (v++ & 0x0F));
  CHECK(rule_roles(rules, Lifecycle::Terminated, Operation::Read) == 0);
}

TEST_CASE("curve table", "[protocol]") {
  CHECK(curve_info(0)->sn == "prime256v1");
  CHECK(curve_info(1)->field_bytes == 48);
  CHECK_FALSE(curve_info(9).has_value());
  CHECK(curve_by_name("P-384")->curve == Curve::P384);
  CHECK(curve_by_name("secp384r1")->curve == Curve::P384);
  CHECK(curve_by_name("prime256v1")->curve == Curve::P256);
  CHECK(curve_by_name("brainpoolP512r1")->field_bytes == 64);
  CHECK_FALSE(curve_by_name("secp256k1").has_value());
}
