// How long a real MAXQ1061 takes: per-command chip time and SPI bus time.
//
// MODELLED: Maxim publishes no command timings. Every number below (ChipTimes'
// defaults) is an assumption, kept in this one place; measurements from a real
// board replace them at run time (ChipTimes, parse_chip_times). The simulated chip applies the
// model when it is enabled (Chip::enable_latency_model); the benchmark uses the
// same table to split a measured handshake into bus time and chip time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wire/protocol.h"

namespace maxq::sim {

// The SDK clocks the chip at about 1 MHz (docs/maxq106x-protocol.md §2).
inline constexpr uint32_t kDefaultSpiClockHz = 1000000;
// The field size the per-command times are given for (P-256).
inline constexpr size_t kReferenceFieldBytes = 32;

// MODELLED chip time per command class in milliseconds for a P-256 key; the
// EC operations (sign, keygen, ecdh, auth) scale with the cost of a scalar
// multiplication, (field_bytes / 32)^3: x3.375 for P-384. The defaults are
// assumptions; times measured on a board replace them at run time: "sign=15,
// ecdh=18" (parse_chip_times) for the bench and the daemon, sign-ms=15 in a
// sim: device string.
struct ChipTimes {
  double sign = 20.0;    // sign/verify
  double keygen = 22.0;  // import key: generation (total length 0); imports of key material
                         // and import root certificate are timed alike
  double ecdh = 20.0;    // key exchange
  double auth = 25.0;    // admin authenticate (a signature check of the challenge)
  double random = 0.5;   // get challenge (the MAXQ106x random source) and get random
  double write = 5.0;    // create, delete and write object (flash)
  double other = 0.3;    // anything else
};
// The names above, in that order.
inline constexpr const char* kChipTimeNames[] = {"sign",   "keygen", "ecdh", "auth",
                                                 "random", "write",  "other"};
// The most a configured time may be: the host's poll budget
// (SpiLinkOptions::kLongestCommandSeconds) must outlast the slowest command on
// the largest curve (P-521, x8.8) twice over.
inline constexpr double kMaxChipTimeMs = 100.0;

// Sets the time called `name` to `ms` (a decimal number of milliseconds, 0 to
// kMaxChipTimeMs). Throws std::invalid_argument saying what is wrong.
void set_chip_time(ChipTimes& times, const std::string& name, const std::string& ms);
// "sign=15,ecdh=18.5": the named times changed, the rest MODELLED defaults.
ChipTimes parse_chip_times(const std::string& list);
// The times that differ from the defaults, as name/value pairs in the order of
// kChipTimeNames (what a device string or a report needs to carry).
std::vector<std::pair<std::string, double>> changed_chip_times(const ChipTimes& times);
// The same as "name=value,..." ("" when all are the defaults); each name
// followed by `name_suffix` ("-ms" in a device string).
std::string format_chip_times(const ChipTimes& times, const std::string& name_suffix = "");

struct LatencySettings {
  uint32_t spi_clock_hz = kDefaultSpiClockHz;
  ChipTimes times;
};

// Chip time of one command in milliseconds for a key whose field is
// `field_bytes` long, from `times`.
double command_time_ms(uint8_t command, size_t field_bytes = kReferenceFieldBytes,
                       const ChipTimes& times = {});
std::chrono::nanoseconds command_time(uint8_t command, size_t field_bytes = kReferenceFieldBytes,
                                      const ChipTimes& times = {});
// The same for a command whose key curve the chip knows, or P-256 when it
// does not (a command refused before its key was found).
std::chrono::nanoseconds command_time(uint8_t command, std::optional<wire::Curve> curve,
                                      const ChipTimes& times = {});
// True for the commands whose time scales with the field size.
bool is_ec_operation(uint8_t command);

// Bus time of `clocked_bytes` at `spi_clock_hz`: 8 clocks per byte. SPI is full
// duplex, so a clocked byte moves one byte each way in that time.
double bus_time_ms(uint64_t clocked_bytes, uint32_t spi_clock_hz);
std::chrono::nanoseconds bus_time(uint64_t clocked_bytes, uint32_t spi_clock_hz);

// The longest chip time of any command on any supported curve: how long a host
// must be willing to poll.
std::chrono::nanoseconds longest_command_time(const ChipTimes& times = {});

}  // namespace maxq::sim
