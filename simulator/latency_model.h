// How long a real MAXQ1061 takes: per-command chip time and SPI bus time.
//
// MODELLED: Maxim publishes no command timings. Every number below (the table
// in latency_model.cc) is an assumption, kept in this one place so it can be
// replaced by measurements from a real board. The simulated chip applies the
// model when it is enabled (Chip::enable_latency_model); the benchmark uses the
// same table to split a measured handshake into bus time and chip time.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "wire/protocol.h"

namespace maxq::sim {

// The SDK clocks the chip at about 1 MHz (DESIGN.md §3).
inline constexpr uint32_t kDefaultSpiClockHz = 1000000;
// The field size the per-command times are given for (P-256).
inline constexpr size_t kReferenceFieldBytes = 32;

struct LatencySettings {
  uint32_t spi_clock_hz = kDefaultSpiClockHz;
};

// MODELLED chip time of one command in milliseconds, for a key whose field is
// `field_bytes` long: sign/verify 20, import key (key generation) 22, key
// exchange (ECDH) 20, admin authenticate 25, get random 0.5, create, delete
// and write object 5 (flash), anything else 0.3. The EC operations (sign/verify,
// import key, key exchange, admin authenticate) scale with the cost of a
// scalar multiplication, (field_bytes / 32)^3: x3.375 for P-384.
double command_time_ms(uint8_t command, size_t field_bytes = kReferenceFieldBytes);
std::chrono::nanoseconds command_time(uint8_t command, size_t field_bytes = kReferenceFieldBytes);
// The same for a command whose key curve the chip knows, or P-256 when it
// does not (a command refused before its key was found).
std::chrono::nanoseconds command_time(uint8_t command, std::optional<wire::Curve> curve);
// True for the commands whose time scales with the field size.
bool is_ec_operation(uint8_t command);

// Bus time of `clocked_bytes` at `spi_clock_hz`: 8 clocks per byte. SPI is full
// duplex, so a clocked byte moves one byte each way in that time.
double bus_time_ms(uint64_t clocked_bytes, uint32_t spi_clock_hz);
std::chrono::nanoseconds bus_time(uint64_t clocked_bytes, uint32_t spi_clock_hz);

// The longest chip time of any command on any supported curve: how long a host
// must be willing to poll.
std::chrono::nanoseconds longest_command_time();

}  // namespace maxq::sim
