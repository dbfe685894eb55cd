// SPI mode 0 (MSB first) through an FTDI FT232H / FT2232H / FT4232H in MPSSE
// mode. One run() becomes one USB write (pin changes for chip select, 0x31
// clock-in-and-out transfers, 0x87 SEND_IMMEDIATE) followed by reads until
// exactly the clocked-in bytes have arrived, so a SpiLink round trip is one
// USB round trip. Only a batch reading back more than the bridge's receive
// buffer (kMaxReadPerWrite) is split into several, because the MPSSE stops
// clocking while that buffer is full and nobody reads it during the write.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transport/device_spec.h"
#include "transport/errors.h"
#include "transport/ftdi_usb.h"
#include "transport/spi_bus.h"

namespace maxq::transport {

struct FtdiBusConfig {
  std::string description;  // libftdi description: i:VID:PID[:INDEX], s:VID:PID:SERIAL, d:BUS/DEV
  char interface = 0;       // 'A'..'D' on multi-channel bridges, 0 for the default
  uint32_t spi_clock_hz = 1000000;
  unsigned cs_pin = 3;     // chip select on ADBUS3..7
  uint8_t latency_ms = 1;  // the bridge flushes partial USB packets this often
  // How long one USB round trip may go without its bytes arriving, on top of
  // the time the SPI transfer itself takes.
  std::chrono::milliseconds read_timeout{1000};

  // From an ftdi: device string's target and options (device_spec.h). Throws
  // ConfigError saying which option is wrong.
  static FtdiBusConfig from_spec(const DeviceSpec& spec);
  // The options that differ from the defaults, as ",KEY=VALUE..." (for the
  // canonical device string).
  std::string options_text() const;
};

class FtdiMpsseBus : public SpiBus {
 public:
  static constexpr uint32_t kBaseClockHz = 60000000;  // divide-by-5 off
  static constexpr uint32_t kMaxClockHz = kBaseClockHz / 2;
  static constexpr uint32_t kMinClockHz = 458;  // 60 MHz / (65536 * 2), rounded up
  // The FT232H's receive buffer; the larger parts have more.
  static constexpr size_t kMaxReadPerWrite = 1024;

  // Opens the bridge and configures MPSSE SPI mode 0. Throws ConfigError (bad
  // clock, chip-select pin or description) or LinkError (NotFound, Permission,
  // Io) naming the device and saying what to do.
  FtdiMpsseBus(std::unique_ptr<FtdiUsb> usb, FtdiBusConfig config);
  // Deselects the chip and hands the pins back (bit mode reset); never throws.
  ~FtdiMpsseBus() override;

  // After a failed round trip the next run() recovers first: a timeout purges
  // the bridge's buffers (late bytes must not be taken for the next answer),
  // anything else reopens and reconfigures it. A batch of deselects alone is
  // skipped meanwhile: recovery leaves chip select high anyway.
  Bytes run(const std::vector<SpiOp>& ops) override;
  std::string describe() const override { return "ftdi:" + config_.description; }
  // The USB interface claim is exclusive: a second process cannot open the bridge.
  std::string lock_path() const override { return ""; }
  bool reaches_hardware() const override { return true; }

  // The 0x86 divisor for `hz`: the fastest clock not above `hz`, which must be
  // within 1 % of it. Throws ConfigError naming the nearest clocks otherwise.
  static uint16_t clock_divisor(uint32_t hz);

  struct UsbRoundTrip {
    Bytes write;      // MPSSE command bytes
    size_t read = 0;  // bytes the bridge sends back for them
  };
  // The USB traffic that carries `ops` (no I/O).
  std::vector<UsbRoundTrip> encode(const std::vector<SpiOp>& ops) const;
  // Written once after MPSSE mode is set: clock, pins, loopback off.
  Bytes configuration_commands() const;

  FtdiUsb& usb() { return *usb_; }

 private:
  void open_and_configure();
  void write_all(ByteView bytes, const std::string& during);
  void read_exact(uint8_t* out, size_t n, const std::string& during,
                  std::chrono::milliseconds budget);
  [[noreturn]] void fail(LinkError::Kind kind, const std::string& what);
  std::string libftdi_says() const;

  std::unique_ptr<FtdiUsb> usb_;
  FtdiBusConfig config_;
  uint16_t divisor_;
  void recover();

  uint8_t cs_mask_;
  enum class Recovery { None, Purge, Reopen };
  Recovery recovery_ = Recovery::Reopen;
};

}  // namespace maxq::transport
