// Signing digests of any length: the Device sends the ECDSA integer of the
// digest in field-size bytes (as TLS stacks and the SDK's ports do), so the
// chip's signature verifies with software ECDSA over the original digest,
// whatever the hash and the curve. Part of the Device suite (every link).
#include <catch2/catch.hpp>

#include "test/support/software_ec.h"
#include "test/support/temp_chip.h"
#include "transport/device.h"

using namespace maxq;
using maxq::testing::TempChip;
using wire::Curve;

TEST_CASE("digests shorter and longer than the field sign as software ECDSA expects",
          "[device][sign]") {
  TempChip t;
  auto dev = t.open_device();
  const transport::PublicKey p256 = t.make_key(*dev, 0x0101, Curve::P256);
  const transport::PublicKey p384 = t.make_key(*dev, 0x0102, Curve::P384);
  const transport::PublicKey p521 = t.make_key(*dev, 0x0103, Curve::P521);
  struct Case {
    uint16_t id;
    const transport::PublicKey* key;
    size_t digest_bytes;
  };
  const Case cases[] = {
      {0x0102, &p384, 32},   // SHA-256 with a P-384 key: left-padded
      {0x0101, &p256, 64},   // SHA-512 with a P-256 key: truncated
      {0x0101, &p256, 1},    // a 1-byte digest
      {0x0101, &p256, 100},  // a 100-byte digest
      {0x0101, &p256, 48},   // SHA-384
      {0x0102, &p384, 64},  {0x0102, &p384, 1},
      {0x0103, &p521, 64},   // SHA-512 with P-521: padded to 66 bytes
      {0x0103, &p521, 100},  // more than 521 bits: the leftmost 521
      {0x0103, &p521, 32},
  };
  maxq::testing::SoftwareEc sw;
  for (const Case& c : cases) {
    INFO("key 0x0" << std::hex << c.id << std::dec << ", a " << c.digest_bytes << "-byte digest");
    Bytes digest(c.digest_bytes);
    // High bits set, so that any misplaced padding or shift shows.
    for (size_t i = 0; i < digest.size(); ++i) digest[i] = static_cast<uint8_t>(0xFF - 3 * i);
    Bytes sig = dev->sign(c.id, digest);
    CHECK(sig.size() == 2 * wire::curve_info(c.key->curve)->field_bytes);
    CHECK(sw.verify(c.key->curve, c.key->xy, digest, sig));
    CHECK(dev->verify(c.id, digest, sig));
    Bytes other = digest;
    other[0] ^= 0x01;  // the leftmost byte always counts
    CHECK_FALSE(sw.verify(c.key->curve, c.key->xy, other, sig));
    CHECK_FALSE(dev->verify(c.id, other, sig));
  }
}

TEST_CASE("an empty digest is refused before anything is sent", "[device][sign]") {
  TempChip t;
  auto dev = t.open_device();
  t.make_key(*dev, 0x0101);
  sim::Chip& chip = TempChip::chip_of(*dev);
  auto before = chip.counters().snapshot();
  CHECK_THROWS_WITH(dev->sign(0x0101, Bytes{}),
                    Catch::Contains("sign with key 0x0101") && Catch::Contains("empty digest"));
  CHECK_THROWS_WITH(dev->verify(0x0101, Bytes{}, Bytes(64, 1)),
                    Catch::Contains("verify with key 0x0101") && Catch::Contains("empty digest"));
  CHECK((chip.counters().snapshot() - before).total_commands() == 0);
}
