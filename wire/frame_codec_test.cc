#include "wire/frame_codec.h"

#include <catch2/catch.hpp>

using namespace maxq;
using namespace maxq::wire;

TEST_CASE("ping exchange matches the published bytes", "[frame]") {
  Bytes payload = {0x00, 0x01, 0x02, 0x03};
  Bytes cmd = encode_command(Command::Ping, payload);
  CHECK(cmd == Bytes{0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09});
  Bytes rsp = encode_response(Status::Ok, payload);
  CHECK(rsp == Bytes{0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32});

  CommandFrame c;
  REQUIRE(decode_command(cmd, c) == FrameError::None);
  CHECK(c.command == 0xF7);
  CHECK(c.payload == payload);
  ResponseFrame r;
  REQUIRE(decode_response(rsp, r) == FrameError::None);
  CHECK(r.status == 0);
  CHECK(r.payload == payload);
}

TEST_CASE("response decoder rejects damaged frames", "[frame]") {
  Bytes good = encode_response(Status::NotFound, Bytes{1, 2, 3});
  ResponseFrame r;
  REQUIRE(decode_response(good, r) == FrameError::None);
  CHECK(r.status == 0x0004);

  SECTION("every single-bit flip is detected") {
    for (size_t i = 0; i < good.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        Bytes bad = good;
        bad[i] ^= static_cast<uint8_t>(1 << bit);
        CHECK(decode_response(bad, r) != FrameError::None);
      }
    }
  }
  SECTION("truncation") {
    for (size_t n = 0; n < good.size(); ++n)
      CHECK(decode_response(ByteView(good.data(), n), r) != FrameError::None);
  }
  SECTION("trailing bytes") {
    Bytes longer = good;
    longer.push_back(0);
    CHECK(decode_response(longer, r) == FrameError::TrailingBytes);
  }
  SECTION("length beyond the frame limit") {
    Bytes huge = {0x55, 0x00, 0x00, 0xFF, 0xFF, 0, 0};
    CHECK(decode_response(huge, r) == FrameError::TooLong);
    CHECK(frame_size_from_header(huge) == 0);
  }
  SECTION("wrong sync") {
    Bytes bad = good;
    bad[0] = 0xAA;
    CHECK(decode_response(bad, r) == FrameError::BadSync);
  }
}

TEST_CASE("command decoder rejects damaged frames", "[frame]") {
  Bytes good = encode_command(Command::GetRandom, Bytes{0x00, 0x20});
  CommandFrame c;
  REQUIRE(decode_command(good, c) == FrameError::None);
  Bytes bad = good;
  bad[1] = 0x01;
  CHECK(decode_command(bad, c) == FrameError::BadSync);
  bad = good;
  bad[5] ^= 0x80;
  CHECK(decode_command(bad, c) == FrameError::BadCrc);
}

TEST_CASE("frame limit is enforced by the encoder", "[frame]") {
  Bytes max(kMaxPayload, 0x5A);
  Bytes f = encode_command(Command::WriteObject, max);
  CHECK(f.size() == kMaxFrameSize);
  CHECK(frame_size_from_header(f) == kMaxFrameSize);
  Bytes over(kMaxPayload + 1, 0);
  CHECK_THROWS_AS(encode_command(Command::WriteObject, over), std::length_error);
}

TEST_CASE("payload reader checks every length", "[frame]") {
  Bytes in = {0x12, 0x34, 0x56, 0x78, 0x9A};
  PayloadReader r(in, "test payload");
  CHECK(r.u16() == 0x1234);
  CHECK(r.u16() == 0x5678);
  CHECK_THROWS_AS(r.u16(), MalformedPayload);
  CHECK(r.u8() == 0x9A);
  r.expect_end();
  PayloadReader r2(in, "short");
  CHECK_THROWS_WITH(r2.bytes(6), Catch::Contains("short"));
  PayloadWriter w;
  w.u8(1).u16(0x0203).u32(0x04050607).bytes(in);
  CHECK(w.bytes().size() == 7 + in.size());
  CHECK(w.bytes()[3] == 0x04);
}
