// A device string taken apart: the link scheme, its target and its options.
//
// Device strings (the `device` config key, MAXQ1061_DEVICE, --device) are
// SCHEME:TARGET[,KEY=VALUE...]. Which schemes exist, which options each takes
// and how its link is opened is the business of the LinkRegistry the caller
// built (transport/link_registry.h): the built-in hardware links are
//   ftdi:DESC[,spi-clock-hz=N][,ftdi-interface=A|B|C|D][,cs-pin=N]
//               an FTDI MPSSE bridge; DESC is a libftdi description string
//               (d:BUS/DEV, i:VID:PID, i:VID:PID:INDEX, s:VID:PID:SERIAL), e.g.
//               ftdi:i:0x0403:0x6014,spi-clock-hz=1000000,ftdi-interface=A.
//               Options follow the description after commas, in any order:
//               spi-clock-hz (decimal or 0x hex, default 1 MHz), ftdi-interface
//               (channel of a multi-channel chip, default the first), cs-pin
//               (ADBUS pin 3..7 wired to the chip select, default 3).
//   broker:PATH the maxq1061d daemon that owns the chip, on its unix socket PATH
//               (broker: alone: /run/maxq1061/maxq1061.sock)
// and the simulated chips of simulated_links/ (sim:, unix:, ftdi:model:) are
// plug-ins a caller adds to its registry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace maxq::transport {

struct DeviceOption {
  std::string key, value;
};

struct DeviceSpec {
  std::string scheme;                 // "ftdi", "broker", "sim", "ftdi:model", ...
  std::string target;                 // state file, socket path or libftdi description
  std::vector<DeviceOption> options;  // after the target, as written, in order
  std::string text;                   // the canonical device string (non-default options)
  // Non-empty for a simulated chip: where its private keys really are
  // ("SIMULATED chip: its private keys are in the state file ..."), for
  // MAXQ1061_DEBUG and `maxq1061-tool status`.
  std::string simulated_note;

  const std::string& to_string() const { return text; }
  // The value of option `key`, or nullptr.
  const std::string* option(const std::string& key) const;
};

// An MPSSE bridge clocks SPI at most at 60 MHz / 2.
inline constexpr uint32_t kMaxSpiClockHz = 30000000;

// Option values: digits (or 0x hex) only, at most 32 bits. Throws ConfigError
// "bad value 'V' for KEY" (the registry adds the device and the accepted forms).
uint32_t parse_option_number(const std::string& key, const std::string& value);
// spi-clock-hz: 1 .. kMaxSpiClockHz.
uint32_t parse_spi_clock_hz(const std::string& value);

}  // namespace maxq::transport
