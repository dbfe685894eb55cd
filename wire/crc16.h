// CRC-16/ARC: reflected polynomial 0x8005, init 0, no final xor (check 0xBB3D).
#pragma once

#include <cstdint>

#include "wire/bytes.h"

namespace maxq::wire {

uint16_t crc16_arc(ByteView data, uint16_t crc = 0);

}  // namespace maxq::wire
