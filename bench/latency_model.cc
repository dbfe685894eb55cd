#include "bench/latency_model.h"

#include "wire/protocol.h"

namespace maxq::bench {
namespace {

// MODELLED milliseconds per command for a 32-byte (P-256) field; P-384 work is
// scaled by the cube of the field size ratio (scalar multiplication cost).
double chip_ms(wire::Command c) {
  switch (c) {
    case wire::Command::SignVerify: return 20.0;
    case wire::Command::ImportKey: return 22.0;  // key generation
    case wire::Command::KeyExchange: return 20.0;
    case wire::Command::AdminAuthenticate: return 25.0;
    case wire::Command::GetRandom: return 0.5;
    case wire::Command::CreateObject:
    case wire::Command::DeleteObject:
    case wire::Command::WriteObject: return 5.0;  // flash write
    default: return 0.3;
  }
}

bool is_ec_operation(wire::Command c) {
  return c == wire::Command::SignVerify || c == wire::Command::ImportKey ||
         c == wire::Command::KeyExchange || c == wire::Command::AdminAuthenticate;
}

}  // namespace

HardwareEstimate estimate_hardware(const sim::CounterSnapshot& delta, uint64_t handshakes,
                                   unsigned field_bytes, double spi_hz) {
  HardwareEstimate e;
  if (handshakes == 0) return e;
  double scale = static_cast<double>(field_bytes) / 32.0;
  scale = scale * scale * scale;
  for (int code = 0; code < 256; ++code) {
    if (!delta.commands[code]) continue;
    auto c = static_cast<wire::Command>(code);
    e.chip_ms += static_cast<double>(delta.commands[code]) * chip_ms(c) * (is_ec_operation(c) ? scale : 1.0);
  }
  e.chip_ms /= static_cast<double>(handshakes);
  // Full duplex: every clocked byte moves one byte each way.
  double clocked = static_cast<double>(delta.bytes_to_chip) / static_cast<double>(handshakes);
  e.bus_ms = clocked * 8.0 / spi_hz * 1000.0;
  return e;
}

}  // namespace maxq::bench
