#include "wire/crc16.h"

#include <array>

namespace maxq::wire {
namespace {

// 0xA001 is 0x8005 bit-reversed: the table drives the reflected algorithm.
constexpr std::array<uint16_t, 256> make_table() {
  std::array<uint16_t, 256> table{};
  for (unsigned i = 0; i < 256; ++i) {
    uint16_t c = static_cast<uint16_t>(i);
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? static_cast<uint16_t>((c >> 1) ^ 0xA001) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint16_t, 256> kTable = make_table();

}  // namespace

uint16_t crc16_arc(ByteView data, uint16_t crc) {
  for (uint8_t b : data) crc = static_cast<uint16_t>((crc >> 8) ^ kTable[(crc ^ b) & 0xFF]);
  return crc;
}

}  // namespace maxq::wire
