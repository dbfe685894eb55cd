// The request frames of the key commands, as recorded on the bus: import key
// (CA) for a generation is the document's layout (§4.13, §7) signed by the
// key-import key over exactly the 10-byte descriptor; sign (C8) carries the
// u16 reserved field and the digest as field-size data (§4.15).
#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include "test/support/software_ec.h"
#include "transport/device.h"
#include "transport/recording_bus.h"

using namespace maxq;
using maxq::testing::hex;
using maxq::testing::RecordedChip;
using transport::ObjectSpec;
using wire::Command;
using wire::Curve;

namespace {

Bytes sha256(ByteView data) {
  Bytes out(32);
  size_t len = 0;
  REQUIRE(EVP_Q_digest(nullptr, "SHA256", nullptr, data.data(), data.size(), out.data(), &len) ==
          1);
  return out;
}

Bytes slice(const Bytes& b, size_t from, size_t n) {
  REQUIRE(from + n <= b.size());
  return Bytes(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(from + n));
}

// The frames of generate_key(id, curve) in an admin session.
std::vector<wire::CommandFrame> generation_frames(RecordedChip& r, uint16_t id, Curve curve,
                                                  transport::KeyUse use,
                                                  transport::PublicKey* out = nullptr) {
  std::vector<wire::CommandFrame> frames;
  r.dev->as_admin(r.t.admin(), [&] {
    r.dev->create_object(ObjectSpec::key_pair(id, curve));
    r.bus->clear();
    transport::PublicKey key = r.dev->generate_key(id, curve, r.t.key_import(), use);
    if (out) *out = key;
    frames = r.bus->frames();
  });
  return frames;
}

}  // namespace

TEST_CASE("generate_key sends the document's import-key frame, signed over the descriptor",
          "[device][frames]") {
  struct Case {
    Curve curve;
    const char* descriptor;
    uint8_t read_length;  // 2 x the largest field: the curve is not known before the answer
  };
  auto c = GENERATE(Case{Curve::P256, "03 00 20 00 00 00 01 07 FF 00", 132},
                    Case{Curve::P384, "03 01 30 00 00 00 01 07 FF 00", 132},
                    Case{Curve::P521, "03 02 42 00 00 00 01 07 FF 00", 132});
  RecordedChip r;
  transport::PublicKey key;
  auto frames = generation_frames(r, 0x0101, c.curve, transport::KeyUse::signing(), &key);
  REQUIRE(frames.size() == 2);  // import key, then the read of the new public key
  CHECK(frames[0].command == static_cast<uint8_t>(Command::ImportKey));
  const Bytes& p = frames[0].payload;
  REQUIRE(p.size() == 8 + 10 + 2 + 64);
  // Pass 01, ECDSA-SHA256, verified with 0x1000, into 0x0101, a 10-byte body.
  CHECK(slice(p, 0, 8) == hex("01 0A 10 00 01 01 00 0A"));
  // ECC, curve, component length u16le, total 0 (generate), data signature
  // with ECDSA and any hash, no second usage.
  const Bytes descriptor = hex(c.descriptor);
  CHECK(slice(p, 8, 10) == descriptor);
  CHECK(slice(p, 18, 2) == hex("00 40"));
  // r || s by the key-import key over SHA-256 of exactly the descriptor.
  maxq::testing::SoftwareEc sw;
  const Bytes signature = slice(p, 20, 64);
  const Bytes import_xy = r.t.key_import().public_xy();
  CHECK(sw.verify(Curve::P256, import_xy, sha256(descriptor), signature));
  CHECK_FALSE(sw.verify(Curve::P256, import_xy, sha256(p), signature));
  CHECK_FALSE(sw.verify(Curve::P256, r.t.admin().public_xy(), sha256(descriptor), signature));
  // Then the public key is read as X || Y.
  CHECK(frames[1].command == static_cast<uint8_t>(Command::ReadObject));
  CHECK(frames[1].payload == Bytes{0x01, 0x01, 0x00, 0x00, 0x00, c.read_length});
  CHECK(key.curve == c.curve);
  CHECK(key.xy.size() == 2 * wire::curve_info(c.curve)->field_bytes);
}

TEST_CASE("with the document's key use, the import-key frame is §7's up to the signature",
          "[device][frames]") {
  RecordedChip r;
  transport::KeyUse use{wire::KeyUsage::DataSignature, wire::Algorithm::EcdsaSha256,
                        wire::KeyUsage::None, wire::Algorithm::None};
  generation_frames(r, 0x0101, Curve::P256, use);
  Bytes raw = r.bus->raw_frames().at(0);  // recorded from the import on
  REQUIRE(raw.size() == 5 + 84 + 2);
  CHECK(slice(raw, 0, 25) == hex("AA 00 CA 00 54 01 0A 10 00 01 01 00 0A "
                                 "03 00 20 00 00 00 01 0A FF 00 00 40"));
  // The digest the document gives for that descriptor.
  CHECK(sha256(slice(raw, 13, 10)) ==
        hex("17476d489a7676a6a26e1bd09179785323f3b55d25ec3894984d8b76e569d077"));
}

TEST_CASE("sign sends the digest as the ECDSA integer in field-size bytes", "[device][frames]") {
  RecordedChip r;
  r.t.make_key(*r.dev, 0x0101, Curve::P256);
  r.t.make_key(*r.dev, 0x0102, Curve::P384);
  r.t.make_key(*r.dev, 0x0103, Curve::P521);
  auto sign_frame = [&](uint16_t id, const Bytes& digest) {
    r.bus->clear();
    r.dev->sign(id, digest);
    auto frames = r.bus->frames();
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].command == static_cast<uint8_t>(Command::SignVerify));
    return frames[0].payload;
  };
  Bytes d32(32), d64(64), d100(100);
  for (size_t i = 0; i < d100.size(); ++i) d100[i] = static_cast<uint8_t>(0xF0 - i);
  std::copy(d100.begin(), d100.begin() + 32, d32.begin());
  std::copy(d100.begin(), d100.begin() + 64, d64.begin());
  auto request = [](uint16_t id, size_t n, const Bytes& data) {
    // Sign, ECDSA on a host digest, the key, reserved u16 0000, data, no signature.
    Bytes q = {0x02, 0x08, static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id),
               0x00, 0x00, static_cast<uint8_t>(n >> 8),  static_cast<uint8_t>(n)};
    q.insert(q.end(), data.begin(), data.end());
    q.insert(q.end(), {0x00, 0x00});
    return q;
  };
  auto zeros_then = [](size_t zeros, const Bytes& b) {
    Bytes out(zeros, 0);
    out.insert(out.end(), b.begin(), b.end());
    return out;
  };
  // P-256: SHA-256 as it is; SHA-512 and 100 bytes keep the leftmost 32; 1 byte is left-padded.
  CHECK(sign_frame(0x0101, d32) == request(0x0101, 32, d32));
  CHECK(sign_frame(0x0101, d64) == request(0x0101, 32, d32));
  CHECK(sign_frame(0x0101, d100) == request(0x0101, 32, d32));
  CHECK(sign_frame(0x0101, Bytes{0x9C}) == request(0x0101, 32, zeros_then(31, Bytes{0x9C})));
  // P-384: SHA-256 left-padded to 48 bytes.
  CHECK(sign_frame(0x0102, d32) == request(0x0102, 48, zeros_then(16, d32)));
  // P-521: SHA-512 left-padded to 66 bytes.
  CHECK(sign_frame(0x0103, d64) == request(0x0103, 66, zeros_then(2, d64)));

  // §7's example byte for byte: key 0x0101, the digest 00..1F.
  Bytes counting(32);
  for (size_t i = 0; i < counting.size(); ++i) counting[i] = static_cast<uint8_t>(i);
  r.bus->clear();
  r.dev->sign(0x0101, counting);
  CHECK(r.bus->raw_frames() ==
        std::vector<Bytes>{hex("AA 00 C8 00 2A 02 08 01 01 00 00 00 20 "
                               "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F "
                               "10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 00 00 10 EE")});
}
