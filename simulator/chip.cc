// The chip's SPI face: chip-select windows, frame reception, idle bytes, the
// response, and the bus faults applied to the bytes on the wire.
#include "simulator/chip.h"

#include <openssl/err.h>

#include "simulator/chip_core.h"
#include "wire/frame_codec.h"

namespace maxq::sim {

class Chip::SpiState {
 public:
  ~SpiState() { reset(); }
  // One MOSI byte in, the MISO byte clocked out at the same time.
  uint8_t clock(ChipCore& core, uint8_t mosi);
  void start_window() {
    reset();
    phase_ = Phase::Receiving;
  }
  void reset() {
    phase_ = Phase::Deselected;
    wipe(rx_);
    expected_ = 0;
    wipe(tx_);
    tx_pos_ = 0;
    busy_ = 0;
  }

 private:
  enum class Phase { Deselected, Receiving, Responding, Done };

  static void wipe(Bytes& b) {
    if (!b.empty()) secure_zero(b.data(), b.size());  // responses may hold secrets
    b.clear();
  }
  void receive(ChipCore& core, uint8_t b);
  void respond(ChipCore& core, Bytes frame);
  uint8_t next_out();

  Phase phase_ = Phase::Deselected;
  Bytes rx_;             // command bytes received in this window
  size_t expected_ = 0;  // total frame size, known once the header is in
  Bytes tx_;             // the response frame being clocked out
  size_t tx_pos_ = 0;
  uint32_t busy_ = 0;  // idle bytes still to come before the response
};

uint8_t Chip::SpiState::clock(ChipCore& core, uint8_t mosi_on_wire) {
  FaultInjector& faults = core.faults();
  bool mosi_lost = false, miso_lost = false;
  uint8_t mosi = faults.on_mosi(mosi_on_wire, mosi_lost);
  // Full duplex: what goes out now was decided before this byte came in.
  uint8_t miso = next_out();
  miso = faults.on_miso(miso, miso_lost);
  if (miso_lost) miso = next_out();  // the host misses one byte: it sees the next
  if (phase_ == Phase::Receiving && !mosi_lost) {
    try {
      receive(core, mosi);
    } catch (...) {
      reset();  // the window is void; the host must start over
      throw;
    }
  }
  return miso;
}

uint8_t Chip::SpiState::next_out() {
  if (phase_ != Phase::Responding) return wire::kIdleByte;
  if (busy_ > 0) {
    --busy_;
    return wire::kIdleByte;
  }
  uint8_t b = tx_[tx_pos_++];
  if (tx_pos_ == tx_.size()) {
    wipe(tx_);
    tx_pos_ = 0;
    phase_ = Phase::Done;  // idle bytes until chip select rises
  }
  return b;
}

void Chip::SpiState::receive(ChipCore& core, uint8_t b) {
  rx_.push_back(b);
  if (rx_.size() == wire::kHeaderSize) {
    bool sync_ok = rx_[0] == wire::kCommandSync && rx_[1] == wire::kCommandSync2;
    expected_ = wire::frame_size_from_header(rx_);
    if (!sync_ok || expected_ == 0) {
      // Not a command, or longer than any frame: answer now instead of
      // swallowing up to 64 KB of whatever follows.
      respond(core, core.frame_error());
      return;
    }
  }
  if (rx_.size() < wire::kHeaderSize || rx_.size() < expected_) return;
  wire::CommandFrame frame;
  bool intact = wire::decode_command(rx_, frame) == wire::FrameError::None;
  wipe(rx_);
  // The chip's libcrypto work never leaves errors on the host thread's queue,
  // whatever link carries the bytes (in-process bus, MPSSE model, daemon).
  struct ErrorQueueMark {
    ErrorQueueMark() { ERR_set_mark(); }
    ~ErrorQueueMark() { ERR_pop_to_mark(); }
  } mark;
  Bytes response = intact ? core.execute(frame) : core.frame_error();
  if (core.faults().silent()) {
    // MODELLED fault: the command ran but its answer never comes.
    wipe(response);
    phase_ = Phase::Done;
    return;
  }
  respond(core, std::move(response));
}

void Chip::SpiState::respond(ChipCore& core, Bytes frame) {
  tx_ = std::move(frame);
  tx_pos_ = 0;
  busy_ = core.faults().take_busy_polls();
  phase_ = Phase::Responding;
}

Chip::Chip(std::unique_ptr<ChipCore> core)
    : core_(std::move(core)), spi_(std::make_unique<SpiState>()) {}

Chip::~Chip() = default;

std::unique_ptr<Chip> Chip::open(const std::string& state_path) {
  return std::unique_ptr<Chip>(new Chip(std::make_unique<ChipCore>(state_path)));
}

void Chip::select() {
  spi_->start_window();
  core_->counters().add_select();
}

void Chip::deselect() {
  spi_->reset();
}

uint8_t Chip::clock(uint8_t mosi) {
  core_->counters().add_bytes(1, 1);
  return spi_->clock(*core_, mosi);
}

void Chip::transfer(const uint8_t* mosi, uint8_t* miso, size_t n) {
  size_t done = 0;
  try {
    for (; done < n; ++done) miso[done] = spi_->clock(*core_, mosi[done]);
  } catch (...) {
    core_->counters().add_bytes(done + 1, done + 1);
    throw;
  }
  core_->counters().add_bytes(n, n);
}

Serial Chip::serial() const {
  return core_->state_file().cached().serial;
}
const std::string& Chip::state_path() const {
  return core_->state_file().path();
}
FaultInjector& Chip::faults() {
  return core_->faults();
}
Counters& Chip::counters() {
  return core_->counters();
}

}  // namespace maxq::sim
