#include "simulator/latency_model.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>

namespace maxq::sim {
namespace {

using wire::Command;

double reference_ms(uint8_t code, const ChipTimes& t) {
  switch (static_cast<Command>(code)) {
    case Command::SignVerify:
      return t.sign;
    case Command::ImportKey:
    case Command::ImportRootCert:
      return t.keygen;
    case Command::KeyExchange:
      return t.ecdh;
    case Command::AdminAuthenticate:
      return t.auth;
    case Command::GetChallenge:
    case Command::GetRandom:
      return t.random;
    case Command::CreateObject:
    case Command::DeleteObject:
    case Command::WriteObject:
      return t.write;
    default:
      return t.other;
  }
}

// The fields of ChipTimes in the order of kChipTimeNames.
constexpr double ChipTimes::*kChipTimeFields[] = {
    &ChipTimes::sign,   &ChipTimes::keygen, &ChipTimes::ecdh, &ChipTimes::auth,
    &ChipTimes::random, &ChipTimes::write,  &ChipTimes::other};
static_assert(std::size(kChipTimeFields) == std::size(kChipTimeNames));

// Chip times are fixed-point milliseconds with at most three decimals, read
// and written here rather than with the C++ runtime's floating-point
// from_chars/to_chars: those are the same in every locale too, but bring
// libm (fesetround) and large tables into the provider module, which every
// process that loads it would map (issue 16).
std::optional<double> parse_milliseconds(const std::string& text) {
  uint32_t whole = 0, fraction = 0;
  int whole_digits = 0, fraction_digits = 0;
  bool point = false;
  for (char c : text) {
    if (c == '.' && !point) {
      point = true;
    } else if (c < '0' || c > '9') {
      return std::nullopt;
    } else if (point) {
      if (++fraction_digits > 3) return std::nullopt;
      fraction = fraction * 10 + static_cast<uint32_t>(c - '0');
    } else {
      if (whole > 1000) return std::nullopt;  // far past the limit, before it can overflow
      whole = whole * 10 + static_cast<uint32_t>(c - '0');
      ++whole_digits;
    }
  }
  if (whole_digits == 0 || (point && fraction_digits == 0)) return std::nullopt;
  for (; fraction_digits < 3; ++fraction_digits) fraction *= 10;
  const uint32_t microseconds = whole * 1000 + fraction;
  if (microseconds > static_cast<uint32_t>(kMaxChipTimeMs * 1000)) return std::nullopt;
  return microseconds / 1000.0;
}

std::string format_milliseconds(double ms) {
  const auto microseconds = static_cast<uint64_t>(ms * 1000.0 + 0.5);  // ms >= 0
  std::string out = std::to_string(microseconds / 1000);
  if (uint64_t fraction = microseconds % 1000) {
    std::string digits = std::to_string(1000 + fraction).substr(1);  // three digits
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out;
}

// chrono's rounding, not std::llround: the one libm call in the module would
// make every process that loads it map libm (issue 16).
std::chrono::nanoseconds from_ms(double ms) {
  return std::chrono::round<std::chrono::nanoseconds>(
      std::chrono::duration<double, std::milli>(ms));
}

}  // namespace

void set_chip_time(ChipTimes& times, const std::string& name, const std::string& ms) {
  auto named = std::find_if(std::begin(kChipTimeNames), std::end(kChipTimeNames),
                            [&](const char* n) { return name == n; });
  if (named == std::end(kChipTimeNames))
    throw std::invalid_argument("unknown chip time '" + name +
                                "': the names are sign, keygen, ecdh, auth, random, write, other");
  const std::optional<double> v = parse_milliseconds(ms);
  if (!v)
    throw std::invalid_argument("chip time " + name + "='" + ms +
                                "' must be a number of milliseconds from 0 to 100 (at most 3 "
                                "decimals)");
  times.*kChipTimeFields[named - std::begin(kChipTimeNames)] = *v;
}

ChipTimes parse_chip_times(const std::string& list) {
  if (list.empty())
    throw std::invalid_argument("no chip times given: name=milliseconds, e.g. sign=15,ecdh=18");
  ChipTimes times;
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    std::string item = list.substr(start, comma - start);
    size_t eq = item.find('=');
    if (item.empty())
      throw std::invalid_argument("empty chip time in '" + list + "': name=milliseconds, ...");
    if (eq == std::string::npos)
      throw std::invalid_argument("chip time '" + item + "' is not name=milliseconds");
    set_chip_time(times, item.substr(0, eq), item.substr(eq + 1));
    start = comma + 1;
  }
  return times;
}

std::vector<std::pair<std::string, double>> changed_chip_times(const ChipTimes& times) {
  const ChipTimes defaults;
  std::vector<std::pair<std::string, double>> out;
  for (size_t i = 0; i < std::size(kChipTimeFields); ++i)
    if (times.*kChipTimeFields[i] != defaults.*kChipTimeFields[i])
      out.emplace_back(kChipTimeNames[i], times.*kChipTimeFields[i]);
  return out;
}

std::string format_chip_times(const ChipTimes& times, const std::string& name_suffix) {
  std::string out;
  for (const auto& [name, ms] : changed_chip_times(times)) {
    out += (out.empty() ? "" : ",") + name + name_suffix + "=" + format_milliseconds(ms);
  }
  return out;
}

bool is_ec_operation(uint8_t code) {
  switch (static_cast<Command>(code)) {
    case Command::SignVerify:
    case Command::ImportKey:
    case Command::ImportRootCert:
    case Command::KeyExchange:
    case Command::AdminAuthenticate:
      return true;
    default:
      return false;
  }
}

double command_time_ms(uint8_t command, size_t field_bytes, const ChipTimes& times) {
  double ms = reference_ms(command, times);
  if (!is_ec_operation(command)) return ms;
  // Scalar multiplication cost grows with the cube of the field size.
  double ratio = static_cast<double>(field_bytes) / static_cast<double>(kReferenceFieldBytes);
  return ms * ratio * ratio * ratio;
}

std::chrono::nanoseconds command_time(uint8_t command, size_t field_bytes, const ChipTimes& times) {
  return from_ms(command_time_ms(command, field_bytes, times));
}

std::chrono::nanoseconds command_time(uint8_t command, std::optional<wire::Curve> curve,
                                      const ChipTimes& times) {
  std::optional<wire::CurveInfo> info;
  if (curve) info = wire::curve_info(static_cast<uint8_t>(*curve));
  return command_time(command, info ? info->field_bytes : kReferenceFieldBytes, times);
}

double bus_time_ms(uint64_t clocked_bytes, uint32_t spi_clock_hz) {
  return static_cast<double>(clocked_bytes) * 8.0 / static_cast<double>(spi_clock_hz) * 1000.0;
}

std::chrono::nanoseconds bus_time(uint64_t clocked_bytes, uint32_t spi_clock_hz) {
  // Integer nanoseconds: exact whenever the clock divides 8e9 (1 MHz: 8 us a
  // byte); otherwise rounded down by less than 1 ns.
  return std::chrono::nanoseconds(clocked_bytes * 8u * 1000000000u / spi_clock_hz);
}

std::chrono::nanoseconds longest_command_time(const ChipTimes& times) {
  std::chrono::nanoseconds longest{0};
  for (unsigned curve = 0; curve < 256; ++curve) {
    auto info = wire::curve_info(static_cast<uint8_t>(curve));
    if (!info) continue;
    for (unsigned code = 0; code < 256; ++code)
      longest =
          std::max(longest, command_time(static_cast<uint8_t>(code), info->field_bytes, times));
  }
  return longest;
}

}  // namespace maxq::sim
