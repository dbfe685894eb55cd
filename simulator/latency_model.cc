#include "simulator/latency_model.h"

#include <algorithm>
#include <cmath>

namespace maxq::sim {
namespace {

using wire::Command;

// MODELLED milliseconds per command for a 32-byte (P-256) field. Replace with
// measurements from a board; nothing else in the project holds these numbers.
double reference_ms(uint8_t code) {
  switch (static_cast<Command>(code)) {
    case Command::SignVerify:
      return 20.0;
    case Command::ImportKey:
      return 22.0;  // key generation (a public-key import is timed alike)
    case Command::KeyExchange:
      return 20.0;
    case Command::AdminAuthenticate:
      return 25.0;  // a signature check of the challenge
    case Command::GetRandom:
      return 0.5;
    case Command::CreateObject:
    case Command::DeleteObject:
    case Command::WriteObject:
      return 5.0;  // flash write
    default:
      return 0.3;
  }
}

std::chrono::nanoseconds from_ms(double ms) {
  return std::chrono::nanoseconds(std::llround(ms * 1e6));
}

}  // namespace

bool is_ec_operation(uint8_t code) {
  switch (static_cast<Command>(code)) {
    case Command::SignVerify:
    case Command::ImportKey:
    case Command::KeyExchange:
    case Command::AdminAuthenticate:
      return true;
    default:
      return false;
  }
}

double command_time_ms(uint8_t command, size_t field_bytes) {
  double ms = reference_ms(command);
  if (!is_ec_operation(command)) return ms;
  // Scalar multiplication cost grows with the cube of the field size.
  double ratio = static_cast<double>(field_bytes) / static_cast<double>(kReferenceFieldBytes);
  return ms * ratio * ratio * ratio;
}

std::chrono::nanoseconds command_time(uint8_t command, size_t field_bytes) {
  return from_ms(command_time_ms(command, field_bytes));
}

std::chrono::nanoseconds command_time(uint8_t command, std::optional<wire::Curve> curve) {
  std::optional<wire::CurveInfo> info;
  if (curve) info = wire::curve_info(static_cast<uint8_t>(*curve));
  return command_time(command, info ? info->field_bytes : kReferenceFieldBytes);
}

double bus_time_ms(uint64_t clocked_bytes, uint32_t spi_clock_hz) {
  return static_cast<double>(clocked_bytes) * 8.0 / static_cast<double>(spi_clock_hz) * 1000.0;
}

std::chrono::nanoseconds bus_time(uint64_t clocked_bytes, uint32_t spi_clock_hz) {
  // Integer nanoseconds: exact whenever the clock divides 8e9 (1 MHz: 8 us a
  // byte); otherwise rounded down by less than 1 ns.
  return std::chrono::nanoseconds(clocked_bytes * 8u * 1000000000u / spi_clock_hz);
}

std::chrono::nanoseconds longest_command_time() {
  std::chrono::nanoseconds longest{0};
  for (unsigned curve = 0; curve < 256; ++curve) {
    auto info = wire::curve_info(static_cast<uint8_t>(curve));
    if (!info) continue;
    for (unsigned code = 0; code < 256; ++code)
      longest = std::max(longest, command_time(static_cast<uint8_t>(code), info->field_bytes));
  }
  return longest;
}

}  // namespace maxq::sim
