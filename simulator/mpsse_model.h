// An in-memory FT232H in MPSSE mode with a simulated MAXQ1061 wired to its SPI
// pins, so the FTDI link can be tested byte for byte without a USB device.
//
// It decodes the command stream the host writes (FTDI AN_108): 0x80/0x82 pin
// set, 0x81/0x83 pin read, 0x86 clock divisor, 0x8A/0x8B divide-by-5, 0x8C/0x8D
// 3-phase clocking, 0x96/0x97 adaptive clocking, 0x84/0x85 loopback, 0x87 send
// immediate, and the SPI mode 0 MSB-first byte transfers 0x11 (out), 0x20 (in)
// and 0x31 (in and out). Chip-select edges on the wired ADBUS pin become
// Chip::select()/deselect(); clocked bytes go through Chip::transfer(). Any
// opcode outside that set is answered like the real part answers an invalid
// command (0xFA followed by the opcode) and, like every other thing a mode-0
// SPI master must not do (clock high at rest, transfers with MISO driven,
// wrong clock edges), recorded as a violation that tests assert to be empty.
//
// MODELLED: MISO reads 0xFF while the chip is not selected (pull-up), and a
// read-only transfer (0x20) shifts out the level of the MOSI pin.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "simulator/chip.h"
#include "wire/bytes.h"

namespace maxq::sim {

struct MpsseStats {
  uint64_t usb_writes = 0;       // write calls (one USB bulk OUT transfer each)
  uint64_t usb_reads = 0;        // read calls, including ones that returned nothing
  uint64_t empty_reads = 0;      // read calls that found no data
  uint64_t bytes_written = 0;    // USB bytes host -> bridge
  uint64_t bytes_read = 0;       // USB bytes bridge -> host
  uint64_t send_immediates = 0;  // 0x87 commands
  // Reads served from data no 0x87 had flushed: on hardware these wait for the
  // latency timer.
  uint64_t unflushed_reads = 0;
  uint64_t spi_bytes = 0;             // bytes clocked on SCK
  uint64_t spi_bytes_deselected = 0;  // of those, clocked with chip select high
  uint64_t selects = 0;
  uint64_t deselects = 0;
};

class MpsseModel {
 public:
  static constexpr uint32_t kBaseClockHz = 60000000;
  static constexpr uint8_t kBitmodeReset = 0x00;
  static constexpr uint8_t kBitmodeMpsse = 0x02;

  // `chip` is wired with its chip select on ADBUS`cs_pin` (3..7); SCK, MOSI and
  // MISO on ADBUS0..2 as the FT232H's MPSSE fixes them.
  MpsseModel(std::unique_ptr<Chip> chip, unsigned cs_pin);

  // --- the USB face (what libftdi calls reach) ---
  void write(ByteView usb_bytes);
  // Returns up to `max` bytes of pending bridge output (0 when none).
  size_t read(uint8_t* out, size_t max);
  void usb_reset();
  void purge();
  void set_latency_timer(uint8_t ms) { latency_ms_ = ms; }
  void set_bitmode(uint8_t pin_mask, uint8_t mode);

  // --- observation for tests ---
  // Every USB write, in order, when recording is on (off by default: a long
  // run would keep every byte).
  void record_writes(bool on) { record_ = on; }
  const std::vector<Bytes>& writes() const { return writes_; }
  const std::vector<std::string>& violations() const { return violations_; }
  const MpsseStats& stats() const { return stats_; }
  uint8_t bitmode() const { return bitmode_; }
  uint8_t latency_timer() const { return latency_ms_; }
  bool loopback() const { return loopback_; }
  bool divide_by_5() const { return divide_by_5_; }
  bool three_phase() const { return three_phase_; }
  bool adaptive() const { return adaptive_; }
  uint8_t low_pins_value() const { return low_value_; }
  uint8_t low_pins_direction() const { return low_dir_; }
  // SCK frequency the current divisor and divide-by-5 setting give.
  uint32_t sck_hz() const;
  // Bus time the clocked bytes took at the clock in force when each was clocked.
  double spi_seconds() const { return spi_seconds_; }
  bool chip_selected() const { return selected_; }
  size_t pending_output() const { return out_.size() - out_pos_; }
  Chip& chip() { return *chip_; }

 private:
  // Executes the complete command at the front of `pending_`; returns the
  // bytes it used, or 0 when the command is not complete yet.
  size_t execute_one(ByteView cmd);
  void set_low_pins(uint8_t value, uint8_t dir);
  void shift_bytes(uint8_t opcode, const uint8_t* mosi, size_t n);
  void violation(const std::string& what);
  void emit(uint8_t b) { out_.push_back(b); }
  void reset_mpsse();

  std::unique_ptr<Chip> chip_;
  uint8_t cs_mask_;
  uint8_t bitmode_ = kBitmodeReset;
  uint8_t latency_ms_ = 16;
  bool loopback_ = false;
  bool divide_by_5_ = true;  // the FT232H powers up dividing by 5
  bool three_phase_ = false;
  bool adaptive_ = false;
  uint16_t divisor_ = 0;
  uint8_t low_value_ = 0, low_dir_ = 0;
  uint8_t high_value_ = 0, high_dir_ = 0;
  bool selected_ = false;
  Bytes pending_;  // written command bytes not executed yet (split command)
  Bytes out_;      // bytes the bridge holds for the host
  size_t out_pos_ = 0;
  size_t flushed_to_ = 0;  // out_ index up to which a 0x87 asked for delivery
  bool record_ = false;
  std::vector<Bytes> writes_;
  std::vector<std::string> violations_;
  MpsseStats stats_;
  double spi_seconds_ = 0;
};

}  // namespace maxq::sim
