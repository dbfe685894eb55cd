// The state file format: round trip, and refusal of anything the chip would
// never have written.
#include "simulator/state_codec.h"

#include <catch2/catch.hpp>

#include "simulator/state_error.h"

using namespace maxq;
using namespace maxq::sim;

namespace {

PersistentState sample(SimCrypto& crypto) {
  PersistentState s;
  for (size_t i = 0; i < s.serial.size(); ++i) s.serial[i] = static_cast<uint8_t>(i);
  s.lifecycle = wire::Lifecycle::Initialized;
  Object key;
  key.id = 0x0101;
  key.type = wire::ObjectType::KeyPair;
  key.length = 144;
  key.rules[0] = 0xE2;
  key.wipe_on_tamper = true;
  KeyPairMaterial k = crypto.generate(*wire::curve_info(1));
  key.set_key(wire::Curve::P384, k.public_xy, std::move(k.private_scalar));
  key.policy = wire::KeyPolicy{3, 0x04, 0x08, 0x01, 0x0A};
  s.objects.emplace(key.id, std::move(key));
  Object data;
  data.id = 0x0300;
  data.type = wire::ObjectType::Certificate;
  data.length = 100;
  data.data = Bytes(40, 7);
  data.policy = wire::KeyPolicy{3, 0x10, 0x07, 0xFF, 0x00};
  s.objects.emplace(data.id, std::move(data));
  Object empty;
  empty.id = 0x0400;
  empty.type = wire::ObjectType::PublicKey;
  empty.length = 132;
  s.objects.emplace(empty.id, std::move(empty));
  return s;
}

}  // namespace

TEST_CASE("a state survives encoding and decoding", "[state_codec]") {
  SimCrypto crypto;
  PersistentState s = sample(crypto);
  Bytes file = encode_state(s, 42, crypto);
  CHECK(peek_generation(ByteView(file).subview(0, kStatePrefixBytes)) == 42u);
  uint64_t generation = 0;
  PersistentState back = decode_state(file, "x.state", generation, crypto);
  CHECK(generation == 42);
  CHECK(back.serial == s.serial);
  CHECK(back.lifecycle == wire::Lifecycle::Initialized);
  REQUIRE(back.objects.size() == 3);
  const Object& key = back.objects.at(0x0101);
  CHECK(key.curve == wire::Curve::P384);
  CHECK(key.length == 144);
  CHECK(key.wipe_on_tamper);
  CHECK(key.properties() == 0x06);
  REQUIRE(key.policy);
  CHECK(key.policy->usage1 == 0x04);
  CHECK(key.policy->algorithm1 == 0x08);
  CHECK(key.policy->usage2 == 0x01);
  CHECK(key.policy->algorithm2 == 0x0A);
  CHECK(back.objects.at(0x0300).policy->usage1 == 0x10);
  CHECK_FALSE(back.objects.at(0x0400).policy);
  CHECK_FALSE(back.objects.at(0x0400).curve);
  CHECK(key.public_xy == s.objects.at(0x0101).public_xy);
  CHECK(key.private_scalar.view().to_bytes() ==
        s.objects.at(0x0101).private_scalar.view().to_bytes());
  CHECK(key.rules[0] == 0xE2);
  CHECK(back.objects.at(0x0300).data == Bytes(40, 7));
  CHECK(encode_state(back, 42, crypto) == file);
}

TEST_CASE("files the simulator did not write are refused with the path and a remedy",
          "[state_codec]") {
  SimCrypto crypto;
  Bytes good = encode_state(sample(crypto), 1, crypto);
  uint64_t generation = 0;
  auto refused = [&](const Bytes& file, const char* why) {
    INFO(why);
    CHECK_THROWS_WITH(decode_state(file, "/x/chip.state", generation, crypto),
                      Catch::Contains("/x/chip.state") && Catch::Contains(why) &&
                          Catch::Contains("maxq1061-tool init --device sim:/x/chip.state"));
  };
  refused(Bytes(), "is empty");
  refused(Bytes(good.begin(), good.begin() + 10), "is truncated");
  refused(Bytes(500, 'x'), "bad magic");
  refused(Bytes(good.begin(), good.begin() + 27), "is truncated");
  refused(Bytes(good.begin(), good.end() - 1), "integrity check failed");
  for (size_t pos : {size_t{30}, good.size() / 2, good.size() - 1}) {
    Bytes flipped = good;
    flipped[pos] ^= 0x04;
    refused(flipped, "integrity check failed");
  }
  Bytes future = good;
  future[kStateMagicBytes + 1] = 3;
  refused(future, "format version 3");
}

TEST_CASE("a state file of the round-1 format is refused, never reset", "[state_codec]") {
  SimCrypto crypto;
  Bytes old = encode_state(sample(crypto), 1, crypto);
  old[kStateMagicBytes + 1] = 1;  // what the previous simulator wrote
  uint64_t generation = 0;
  CHECK_THROWS_AS(decode_state(old, "/x/chip.state", generation, crypto), StateError);
  CHECK_THROWS_WITH(decode_state(old, "/x/chip.state", generation, crypto),
                    Catch::Contains("/x/chip.state") && Catch::Contains("format version 1") &&
                        Catch::Contains("older simulator") &&
                        Catch::Contains("maxq1061-tool init --device sim:/x/chip.state") &&
                        !Catch::Contains("backup"));
}

TEST_CASE("well-hashed files with impossible content are refused", "[state_codec]") {
  SimCrypto crypto;
  uint64_t generation = 0;
  auto refused = [&](PersistentState s, const char* why) {
    INFO(why);
    CHECK_THROWS_AS(decode_state(encode_state(s, 1, crypto), "p", generation, crypto), StateError);
  };
  {
    PersistentState s = sample(crypto);
    s.lifecycle = static_cast<wire::Lifecycle>(9);
    refused(std::move(s), "lifecycle");
  }
  {
    PersistentState s = sample(crypto);
    s.objects.at(0x0101).length = 96;  // a P-384 key in a P-256 key pair object
    refused(std::move(s), "key size");
  }
  {
    PersistentState s = sample(crypto);
    s.objects.at(0x0400).length = 48;  // no curve's public key capacity
    refused(std::move(s), "key capacity");
  }
  {
    PersistentState s = sample(crypto);
    s.objects.at(0x0300).data.resize(101);  // more than the capacity
    refused(std::move(s), "data size");
  }
  {
    PersistentState s = sample(crypto);
    s.objects.at(0x0300).property = wire::ObjectProperty::Temporary;
    refused(std::move(s), "temporary object");
  }
  {
    PersistentState s = sample(crypto);
    s.objects.at(0x0300).public_xy = Bytes(64, 1);  // key material without a curve
    refused(std::move(s), "stray key");
  }
}
