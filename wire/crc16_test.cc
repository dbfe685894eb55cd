#include "wire/crc16.h"

#include <catch2/catch.hpp>

using maxq::ByteView;
using maxq::wire::crc16_arc;

TEST_CASE("CRC-16/ARC check value", "[crc]") {
  CHECK(crc16_arc(ByteView(std::string_view("123456789"))) == 0xBB3D);
  CHECK(crc16_arc(ByteView()) == 0x0000);
}

TEST_CASE("CRC-16/ARC can be computed in pieces", "[crc]") {
  std::string_view s = "123456789";
  uint16_t part = crc16_arc(ByteView(s.substr(0, 4)));
  CHECK(crc16_arc(ByteView(s.substr(4)), part) == 0xBB3D);
}
