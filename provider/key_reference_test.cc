#include "provider/key_reference.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

using maxq::Bytes;
using maxq::ByteView;
using maxq::provider::BadKeyReference;
using maxq::provider::decode_key_reference_body;
using maxq::provider::decode_key_reference_pem;
using maxq::provider::encode_key_reference_body;
using maxq::provider::encode_key_reference_pem;
using maxq::provider::key_reference_pem_body;
using maxq::provider::KeyReference;
namespace wire = maxq::wire;

namespace {

// A reference with recognisable bytes (the point need not be on the curve
// here: the format does not check that, the decoder does).
KeyReference sample(wire::Curve curve = wire::Curve::P256, uint16_t id = 0x0101) {
  KeyReference ref;
  for (size_t i = 0; i < ref.serial.size(); ++i) ref.serial[i] = static_cast<uint8_t>(0xA0 + i);
  ref.object_id = id;
  ref.curve = *wire::curve_info(static_cast<uint8_t>(curve));
  ref.public_point.assign(1 + 2 * ref.curve.field_bytes, 0);
  ref.public_point[0] = 0x04;
  for (size_t i = 1; i < ref.public_point.size(); ++i)
    ref.public_point[i] = static_cast<uint8_t>(i * 7);
  return ref;
}

void check_equal(const KeyReference& a, const KeyReference& b) {
  CHECK(a.serial == b.serial);
  CHECK(a.object_id == b.object_id);
  CHECK(a.curve.curve == b.curve.curve);
  CHECK(a.public_point == b.public_point);
}

// Offsets in the DER body of a P-256 reference: SEQUENCE(2) OCTET STRING(2).
constexpr size_t kFields = 4;
constexpr size_t kVersionAt = kFields + 4;
constexpr size_t kIdAt = kVersionAt + 1 + 24;
constexpr size_t kCurveAt = kIdAt + 2;
constexpr size_t kPointLengthAt = kCurveAt + 1;

std::string decode_error(ByteView body) {
  try {
    auto ref = decode_key_reference_body(body);
    FAIL("decoded a damaged reference");
  } catch (const BadKeyReference& e) {
    return e.what();
  }
  return {};
}

std::string pem_error(const std::string& text) {
  try {
    auto ref = decode_key_reference_pem(text);
    FAIL("decoded a damaged reference file");
  } catch (const BadKeyReference& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("key references round-trip through DER and PEM on every curve", "[key-reference]") {
  for (uint8_t c = 0; c <= 5; ++c) {
    KeyReference ref = sample(static_cast<wire::Curve>(c), static_cast<uint16_t>(0x0100 + c));
    Bytes body = encode_key_reference_body(ref);
    CHECK(body.size() <= maxq::provider::kMaxKeyReferenceBody);
    auto back = decode_key_reference_body(body);
    REQUIRE(back);
    check_equal(*back, ref);

    std::string pem = encode_key_reference_pem(ref);
    CHECK(pem.rfind("-----BEGIN MAXQ1061 KEY REFERENCE-----\n", 0) == 0);
    CHECK_THAT(pem, Catch::EndsWith("-----END MAXQ1061 KEY REFERENCE-----\n"));
    auto from_pem = decode_key_reference_pem(pem);
    REQUIRE(from_pem);
    check_equal(*from_pem, ref);
  }
}

TEST_CASE("the P-256 body has the documented layout", "[key-reference]") {
  KeyReference ref = sample();
  Bytes body = encode_key_reference_body(ref);
  REQUIRE(body.size() == 2 + 2 + 4 + 1 + 24 + 2 + 1 + 2 + 65);
  CHECK(body[0] == 0x30);
  CHECK(body[1] == body.size() - 2);
  CHECK(body[2] == 0x04);
  CHECK(body[3] == body.size() - 4);
  CHECK(std::string(body.begin() + kFields, body.begin() + kFields + 4) == "MQKR");
  CHECK(body[kVersionAt] == 1);
  CHECK(body[kVersionAt + 1] == 0xA0);
  CHECK(body[kIdAt] == 0x01);
  CHECK(body[kIdAt + 1] == 0x01);
  CHECK(body[kCurveAt] == 0);
  CHECK(body[kPointLengthAt + 1] == 65);
}

TEST_CASE("a PEM file may carry text around the block; lines may end in CRLF", "[key-reference]") {
  KeyReference ref = sample(wire::Curve::P384);
  std::string pem = encode_key_reference_pem(ref);
  std::string crlf;
  for (char c : pem) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  for (const std::string& text : {"comment line\n" + pem + "trailer\n", crlf}) {
    auto back = decode_key_reference_pem(text);
    REQUIRE(back);
    check_equal(*back, ref);
  }
}

TEST_CASE("input that is not a key reference is left to others", "[key-reference]") {
  CHECK_FALSE(
      decode_key_reference_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE "
                               "KEY-----\n"));
  CHECK_FALSE(decode_key_reference_pem(""));
  // The label must start a line.
  CHECK_FALSE(key_reference_pem_body("x-----BEGIN MAXQ1061 KEY REFERENCE-----\n"));
  CHECK_FALSE(decode_key_reference_body(Bytes{}));
  CHECK_FALSE(decode_key_reference_body(Bytes{0x30}));
  CHECK_FALSE(decode_key_reference_body(Bytes{0x02, 0x01, 0x00}));
  // DER, but without the magic: someone else's SEQUENCE { OCTET STRING }.
  CHECK_FALSE(decode_key_reference_body(Bytes{0x30, 0x06, 0x04, 0x04, 'M', 'Q', 'K', 'X'}));
  // A PKCS#8 header is not ours either.
  CHECK_FALSE(decode_key_reference_body(Bytes{0x30, 0x81, 0x87, 0x02, 0x01, 0x00}));
}

TEST_CASE("truncated references are refused at every length", "[key-reference]") {
  Bytes body = encode_key_reference_body(sample());
  // Past the magic a shorter body is ours and damaged; before it, not ours.
  for (size_t n = 0; n < body.size(); ++n) {
    ByteView cut(body.data(), n);
    bool decoded = false;
    try {
      decoded = decode_key_reference_body(cut).has_value();
    } catch (const BadKeyReference&) {
      continue;  // ours, refused with a reason
    }
    INFO("length " << n);
    CHECK_FALSE(decoded);  // not ours
  }
  std::string pem = encode_key_reference_pem(sample());
  std::string no_end = pem.substr(0, pem.find("-----END"));
  CHECK_THAT(pem_error(no_end), Catch::Contains("no '-----END MAXQ1061 KEY REFERENCE-----' line"));
  // One base64 line dropped: the DER lengths no longer fit.
  size_t line = pem.find('\n') + 1;
  std::string short_body = pem.substr(0, line) + pem.substr(pem.find('\n', line) + 1);
  CHECK_FALSE(pem_error(short_body).empty());
}

TEST_CASE("inner lengths that disagree are refused", "[key-reference]") {
  Bytes body = encode_key_reference_body(sample());
  Bytes point_too_long = body;
  point_too_long[kPointLengthAt + 1] = 66;
  CHECK_THAT(decode_error(point_too_long), Catch::Contains("truncated or has extra bytes"));
  Bytes point_too_short = body;
  point_too_short[kPointLengthAt + 1] = 64;
  CHECK_THAT(decode_error(point_too_short), Catch::Contains("truncated or has extra bytes"));
  Bytes trailing = body;
  trailing.push_back(0);
  CHECK_THAT(decode_error(trailing), Catch::Contains("trailing bytes"));
}

TEST_CASE("over-long references are refused", "[key-reference]") {
  // A P-521 sized point labelled P-256. Both DER lengths of a P-521 body use
  // the 0x81 form, which moves the fields two bytes further in.
  Bytes relabelled = encode_key_reference_body(sample(wire::Curve::P521));
  REQUIRE(relabelled[1] == 0x81);
  relabelled[kCurveAt + 2] = static_cast<uint8_t>(wire::Curve::P256);
  CHECK_THAT(decode_error(relabelled), Catch::Contains("not an uncompressed prime256v1 point"));

  std::string huge = "-----BEGIN MAXQ1061 KEY REFERENCE-----\n" + std::string(4000, 'A') +
                     "\n-----END MAXQ1061 KEY REFERENCE-----\n";
  CHECK_THAT(pem_error(huge), Catch::Contains("too long"));
}

TEST_CASE("an unknown version is refused with a hint", "[key-reference]") {
  Bytes body = encode_key_reference_body(sample());
  body[kVersionAt] = 2;
  CHECK_THAT(decode_error(body),
             Catch::Contains("version 2 is not supported") && Catch::Contains("reads version 1"));
  body[kVersionAt] = 0;
  CHECK_THAT(decode_error(body), Catch::Contains("version 0"));
}

TEST_CASE("bad field values are refused", "[key-reference]") {
  Bytes body = encode_key_reference_body(sample());
  Bytes zero_id = body;
  zero_id[kIdAt] = zero_id[kIdAt + 1] = 0;
  CHECK_THAT(decode_error(zero_id), Catch::Contains("object id 0"));
  Bytes bad_curve = body;
  bad_curve[kCurveAt] = 9;
  CHECK_THAT(decode_error(bad_curve), Catch::Contains("unknown curve (id 9)"));
  Bytes compressed = body;
  compressed[kPointLengthAt + 2] = 0x02;
  CHECK_THAT(decode_error(compressed), Catch::Contains("not an uncompressed"));
}

TEST_CASE("non-minimal or indefinite DER lengths are refused", "[key-reference]") {
  Bytes body = encode_key_reference_body(sample());
  // SEQUENCE length in the 0x81 form although it is below 128: not minimal.
  Bytes long_form{0x30, 0x81, body[1]};
  long_form.insert(long_form.end(), body.begin() + 2, body.end());
  CHECK_FALSE(decode_key_reference_body(long_form));
  Bytes indefinite = body;
  indefinite[1] = 0x80;
  CHECK_FALSE(decode_key_reference_body(indefinite));
}

TEST_CASE("damaged PEM bodies are refused", "[key-reference]") {
  std::string pem = encode_key_reference_pem(sample());
  size_t body_at = pem.find('\n') + 1;

  std::string bad_char = pem;
  bad_char[body_at + 3] = '*';
  CHECK_THAT(pem_error(bad_char), Catch::Contains("invalid character"));

  std::string headers = pem.substr(0, body_at) + "Proc-Type: 4,ENCRYPTED\n" + pem.substr(body_at);
  CHECK_THAT(pem_error(headers), Catch::Contains("PEM headers"));

  std::string inner_pad = pem;
  inner_pad[body_at + 2] = '=';
  CHECK_THAT(pem_error(inner_pad), Catch::Contains("invalid character"));

  std::string not_multiple = pem;
  not_multiple.erase(body_at, 1);
  CHECK_THAT(pem_error(not_multiple), Catch::Contains("truncated or damaged"));

  std::string garbage =
      "-----BEGIN MAXQ1061 KEY REFERENCE-----\nAAAAAAAA\n"
      "-----END MAXQ1061 KEY REFERENCE-----\n";
  CHECK_THAT(pem_error(garbage), Catch::Contains("does not hold a key reference"));

  std::string empty =
      "-----BEGIN MAXQ1061 KEY REFERENCE-----\n-----END MAXQ1061 KEY "
      "REFERENCE-----\n";
  CHECK_FALSE(pem_error(empty).empty());
}

TEST_CASE("references that could not be read back are not written", "[key-reference]") {
  KeyReference no_id = sample();
  no_id.object_id = 0;
  CHECK_THROWS_AS(encode_key_reference_pem(no_id), BadKeyReference);
  KeyReference no_point = sample();
  no_point.public_point.clear();
  CHECK_THROWS_AS(encode_key_reference_body(no_point), BadKeyReference);
}

TEST_CASE("only the first PEM block of a stream is looked at", "[key-reference]") {
  using maxq::provider::pem_first_block_seen;
  std::string ref = encode_key_reference_pem(sample());
  std::string other = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  // Another block first: not ours, even with a reference behind it.
  CHECK_FALSE(key_reference_pem_body(other + ref));
  CHECK(key_reference_pem_body("some text\n" + ref));

  CHECK_FALSE(pem_first_block_seen(""));
  CHECK_FALSE(pem_first_block_seen("text without blocks\n"));
  CHECK_FALSE(pem_first_block_seen("-----BEGIN CERTIF"));  // label not complete
  CHECK(pem_first_block_seen("-----BEGIN CERTIFICATE-----\n"));
  CHECK_FALSE(pem_first_block_seen(ref.substr(0, ref.find("-----END"))));
  CHECK_FALSE(pem_first_block_seen(ref.substr(0, ref.size() - 1)));  // END line not complete
  CHECK(pem_first_block_seen(ref));
  CHECK(pem_first_block_seen("junk\n" + ref + other));
  std::string endless = ref.substr(0, ref.find("-----END"));
  endless += std::string(maxq::provider::kMaxKeyReferencePem, 'A');
  CHECK(pem_first_block_seen(endless));  // over-long: stop reading, it is damaged
}

namespace {
// Feeds `text` to read_first_pem_block in the decoder's 1 KB pieces; returns
// the bytes its scan examined.
size_t bytes_scanned_reading(const std::string& text, std::string* read_text = nullptr) {
  size_t pos = 0, scanned = 0;
  std::string got = maxq::provider::read_first_pem_block(
      [&](char* buf, size_t n) {
        n = std::min(n, text.size() - pos);
        std::copy_n(text.data() + pos, n, buf);
        pos += n;
        return n;
      },
      size_t{1} << 20, &scanned);
  if (read_text) *read_text = got;
  return scanned;
}
}  // namespace

TEST_CASE("the PEM step reads a stream in one pass (work linear in its size)",
          "[key-reference][linear]") {
  const size_t mb = size_t{1} << 20;
  // 1 MB without any PEM block: 64-column lines of text, as a big log file.
  std::string blockless;
  while (blockless.size() < mb) blockless += std::string(63, 'x') + "\n";
  blockless.resize(mb);
  std::string text;
  size_t scanned = bytes_scanned_reading(blockless, &text);
  CHECK(text.size() == mb);  // read to the limit, nothing taken for a block
  // Every byte once, plus line prefixes: far from the n^2/2K (about 512 MB) a
  // rescan per 1 KB piece costs.
  CHECK(scanned <= 2 * mb);
  // One line of a megabyte (no newline at all).
  CHECK(bytes_scanned_reading(std::string(mb, 'y')) <= 2 * mb);

  // A 1 MB file with our label and no END line: reading stops once it is
  // longer than any reference.
  std::string labelled = "-----BEGIN MAXQ1061 KEY REFERENCE-----\n";
  while (labelled.size() < mb) labelled += std::string(64, 'A') + "\n";
  scanned = bytes_scanned_reading(labelled, &text);
  CHECK(text.size() <= maxq::provider::kMaxKeyReferencePem + 1024 + 64);
  CHECK(scanned <= 2 * text.size());
  CHECK_THROWS_AS(key_reference_pem_body(text), BadKeyReference);

  // The same behind a megabyte of text, and a good reference behind it.
  std::string ref = encode_key_reference_pem(sample());
  scanned = bytes_scanned_reading(blockless.substr(0, mb - 4096) + ref, &text);
  CHECK(scanned <= 2 * mb);
  auto body = key_reference_pem_body(text);
  REQUIRE(body);
  CHECK(decode_key_reference_body(*body)->object_id == sample().object_id);
}
