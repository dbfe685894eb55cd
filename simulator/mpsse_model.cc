#include "simulator/mpsse_model.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace maxq::sim {
namespace {

// Low-byte pins the MPSSE fixes for serial transfers (FT232H datasheet).
constexpr uint8_t kSck = 0x01;   // ADBUS0
constexpr uint8_t kMosi = 0x02;  // ADBUS1
constexpr uint8_t kMiso = 0x04;  // ADBUS2

constexpr uint8_t kBadCommand = 0xFA;

std::string hex8(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "0x%02X", v);
  return buf;
}

}  // namespace

MpsseModel::MpsseModel(std::unique_ptr<Chip> chip, unsigned cs_pin) : chip_(std::move(chip)) {
  if (!chip_) throw std::invalid_argument("MpsseModel needs a chip");
  if (cs_pin < 3 || cs_pin > 7) throw std::invalid_argument("chip select must be on ADBUS3..7");
  cs_mask_ = static_cast<uint8_t>(1u << cs_pin);
}

uint32_t MpsseModel::sck_hz() const {
  uint32_t base = divide_by_5_ ? kBaseClockHz / 5 : kBaseClockHz;
  return base / ((1u + divisor_) * 2u);
}

void MpsseModel::violation(const std::string& what) {
  violations_.push_back(what);
}

void MpsseModel::reset_mpsse() {
  set_low_pins(0, 0);  // every pin back to an input: the chip select floats high
  high_value_ = high_dir_ = 0;
  loopback_ = false;
  divide_by_5_ = true;
  three_phase_ = false;
  adaptive_ = false;
  divisor_ = 0;
  pending_.clear();
}

void MpsseModel::usb_reset() {
  pending_.clear();
  purge();
}

void MpsseModel::purge() {
  pending_.clear();
  if (!out_.empty()) secure_zero(out_.data(), out_.size());
  out_.clear();
  out_pos_ = flushed_to_ = 0;
}

void MpsseModel::set_bitmode(uint8_t pin_mask, uint8_t mode) {
  if (mode == kBitmodeReset) {
    reset_mpsse();
    bitmode_ = mode;
    return;
  }
  if (mode != kBitmodeMpsse) violation("bit mode " + hex8(mode) + " is not MPSSE (0x02)");
  bitmode_ = mode;
}

void MpsseModel::write(ByteView usb_bytes) {
  ++stats_.usb_writes;
  stats_.bytes_written += usb_bytes.size();
  if (record_) writes_.push_back(usb_bytes.to_bytes());
  if (bitmode_ != kBitmodeMpsse) {
    violation("USB write of " + std::to_string(usb_bytes.size()) +
              " bytes before MPSSE mode was set");
    return;
  }
  pending_.insert(pending_.end(), usb_bytes.begin(), usb_bytes.end());
  size_t pos = 0;
  while (pos < pending_.size()) {
    size_t used = execute_one(ByteView(pending_.data() + pos, pending_.size() - pos));
    if (used == 0) break;  // the rest of this command comes in the next write
    pos += used;
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pos));
}

size_t MpsseModel::execute_one(ByteView c) {
  const uint8_t op = c[0];
  auto length_field = [&] { return static_cast<size_t>(c[1] | c[2] << 8) + 1; };
  switch (op) {
    case 0x80:  // set ADBUS value, direction
      if (c.size() < 3) return 0;
      set_low_pins(c[1], c[2]);
      return 3;
    case 0x82:  // set ACBUS value, direction (not wired to the chip)
      if (c.size() < 3) return 0;
      high_value_ = c[1];
      high_dir_ = c[2];
      return 3;
    case 0x81:  // read ADBUS: outputs as driven, inputs pulled up (MODELLED)
      emit(static_cast<uint8_t>((low_value_ & low_dir_) | ~low_dir_));
      return 1;
    case 0x83:
      emit(static_cast<uint8_t>((high_value_ & high_dir_) | ~high_dir_));
      return 1;
    case 0x84:
      loopback_ = true;
      return 1;
    case 0x85:
      loopback_ = false;
      return 1;
    case 0x86:  // clock divisor, low byte first
      if (c.size() < 3) return 0;
      divisor_ = static_cast<uint16_t>(c[1] | c[2] << 8);
      return 3;
    case 0x87:
      ++stats_.send_immediates;
      flushed_to_ = out_.size();
      return 1;
    case 0x8A:
      divide_by_5_ = false;
      return 1;
    case 0x8B:
      divide_by_5_ = true;
      return 1;
    case 0x8C:
      three_phase_ = true;
      return 1;
    case 0x8D:
      three_phase_ = false;
      return 1;
    case 0x96:
      adaptive_ = true;
      return 1;
    case 0x97:
      adaptive_ = false;
      return 1;
    case 0x11:    // bytes out on -ve edge, MSB first
    case 0x31: {  // bytes out on -ve edge, in on +ve edge, MSB first
      if (c.size() < 3) return 0;
      size_t n = length_field();
      if (c.size() < 3 + n) return 0;
      shift_bytes(op, c.data() + 3, n);
      return 3 + n;
    }
    case 0x20:  // bytes in on +ve edge, MSB first
      if (c.size() < 3) return 0;
      shift_bytes(op, nullptr, length_field());
      return 3;
    default:
      violation("opcode " + hex8(op) +
                " is not part of SPI mode 0 MSB-first (answered as a bad command)");
      emit(kBadCommand);
      emit(op);
      return 1;
  }
}

void MpsseModel::set_low_pins(uint8_t value, uint8_t dir) {
  if (dir & kMiso)
    violation("ADBUS2 (MISO) set as an output: the bridge would drive against the chip");
  if ((dir & kSck) && (value & kSck))
    violation("SCK set high: SPI mode 0 keeps the clock low at rest");
  low_value_ = value;
  low_dir_ = dir;
  // An input chip-select pin floats; the chip's pull-up keeps it deselected (MODELLED).
  bool low = (dir & cs_mask_) && !(value & cs_mask_);
  if (low && !selected_) {
    chip_->select();
    ++stats_.selects;
  } else if (!low && selected_) {
    chip_->deselect();
    ++stats_.deselects;
  }
  selected_ = low;
}

void MpsseModel::shift_bytes(uint8_t opcode, const uint8_t* mosi, size_t n) {
  if (!(low_dir_ & kSck)) violation("transfer with SCK (ADBUS0) not an output");
  if (low_value_ & kSck) violation("transfer with SCK idling high");
  if (mosi && !(low_dir_ & kMosi)) violation("transfer with MOSI (ADBUS1) not an output");
  if (low_dir_ & kMiso) violation("transfer with MISO (ADBUS2) driven by the bridge");
  if (three_phase_) violation("transfer with 3-phase clocking on (an I2C mode)");
  if (adaptive_)
    violation("transfer with adaptive clocking on (waits for a return clock the chip lacks)");

  Bytes tx(n), rx(n);
  if (mosi) {
    std::copy(mosi, mosi + n, tx.begin());
  } else {
    std::fill(tx.begin(), tx.end(), (low_value_ & kMosi) ? 0xFF : 0x00);
  }
  if (loopback_) {
    rx = tx;
  } else if (selected_) {
    chip_->transfer(tx.data(), rx.data(), n);
  } else {
    std::fill(rx.begin(), rx.end(), 0xFF);  // MISO not driven (MODELLED pull-up)
    stats_.spi_bytes_deselected += n;
  }
  stats_.spi_bytes += n;
  spi_seconds_ += static_cast<double>(n) * 8.0 / sck_hz();
  if (opcode != 0x11) out_.insert(out_.end(), rx.begin(), rx.end());
  secure_zero(rx.data(), rx.size());  // may hold an ECDH secret
}

size_t MpsseModel::read(uint8_t* out, size_t max) {
  ++stats_.usb_reads;
  size_t n = std::min(max, out_.size() - out_pos_);
  if (n == 0) {
    ++stats_.empty_reads;
    return 0;
  }
  if (out_pos_ + n > flushed_to_) ++stats_.unflushed_reads;
  std::copy(out_.begin() + static_cast<std::ptrdiff_t>(out_pos_),
            out_.begin() + static_cast<std::ptrdiff_t>(out_pos_ + n), out);
  secure_zero(out_.data() + out_pos_, n);
  out_pos_ += n;
  stats_.bytes_read += n;
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = flushed_to_ = 0;
  }
  return n;
}

}  // namespace maxq::sim
