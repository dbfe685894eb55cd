// The chip's SPI face: chip-select windows, frame reception, idle bytes, the
// response, and the bus faults applied to the bytes on the wire.
#include "simulator/chip.h"

#include <algorithm>
#include <optional>

#include "simulator/bus_pacer.h"
#include "simulator/chip_core.h"
#include "wire/frame_codec.h"
#include "wire/openssl_handles.h"

namespace maxq::sim {

class Chip::SpiState {
 public:
  ~SpiState() { discard(); }
  // Clocks n bytes: MOSI in, the MISO bytes clocked out at the same time.
  // `done` counts the bytes clocked, also when a StateError is thrown.
  void transfer(ChipCore& core, const uint8_t* mosi, uint8_t* miso, size_t n, size_t& done);
  void select() {
    if (selected_) deselect();  // a second falling edge: the old window ended
    selected_ = true;
    window_start_ = true;
  }
  void deselect() {
    selected_ = false;
    window_start_ = false;
    if (phase_ == Phase::Receiving) drop_command();  // a frame comes in one window
    if (phase_ == Phase::Done) phase_ = Phase::Idle;
    // Responding: the answer waits for the next window.
  }
  // An answer is pending or partly clocked out (the SDK's hosts read it over
  // many windows: one per poll byte, then the header, then the data).
  bool answering() const { return phase_ == Phase::Responding; }
  // Forgets a half-received command and any answer not yet clocked out.
  void discard() {
    drop_command();
    drop_answer();
    phase_ = Phase::Idle;
  }
  void enable_latency(std::unique_ptr<BusPacer> pacer, const ChipTimes& times) {
    pacer_ = std::move(pacer);
    times_ = times;
  }

 private:
  // Idle: nothing pending. Receiving: a frame is coming in (this window).
  // Responding: an answer is pending or partly clocked out. Done: the answer
  // (or a refusal to answer) is over; idle bytes until chip select rises.
  enum class Phase { Idle, Receiving, Responding, Done };

  static void wipe(Bytes& b) {
    if (!b.empty()) secure_zero(b.data(), b.size());  // responses may hold secrets
    b.clear();
  }
  void drop_command() {
    wipe(rx_);
    expected_ = 0;
    if (phase_ == Phase::Receiving) phase_ = Phase::Idle;
  }
  void drop_answer() {
    wipe(tx_);
    tx_pos_ = 0;
    busy_ = 0;
    ready_at_.reset();
    if (phase_ == Phase::Responding) phase_ = Phase::Idle;
  }
  // One byte; `slot` is where it sits on the bus when the latency model is on.
  uint8_t clock(ChipCore& core, uint8_t mosi, const ByteSlot* slot);
  // The first byte of a window the chip sees decides what the window is.
  void start_window(uint8_t mosi);
  void receive(ChipCore& core, uint8_t b, const ByteSlot* slot);
  void respond(ChipCore& core, Bytes frame);
  uint8_t next_out(const ByteSlot* slot);

  Phase phase_ = Phase::Idle;
  bool selected_ = false;
  bool window_start_ = false;  // no byte of this window has reached the chip yet
  Bytes rx_;                   // command bytes received in this window
  size_t expected_ = 0;        // total frame size, known once the header is in
  Bytes tx_;                   // the response frame being clocked out
  size_t tx_pos_ = 0;
  uint32_t busy_ = 0;  // idle bytes still to come before the response
  // Latency model (null / empty when off): the bus time line, and when the
  // command being answered is done on it.
  std::unique_ptr<BusPacer> pacer_;
  ChipTimes times_;
  std::optional<ChipClock::time_point> ready_at_;
};

void Chip::SpiState::transfer(ChipCore& core, const uint8_t* mosi, uint8_t* miso, size_t n,
                              size_t& done) {
  if (!pacer_) {
    for (; done < n; ++done) miso[done] = clock(core, mosi[done], nullptr);
    return;
  }
  const ChipClock::time_point start = pacer_->begin();
  try {
    for (; done < n; ++done) {
      const ByteSlot slot = pacer_->slot(start, done);
      miso[done] = clock(core, mosi[done], &slot);
    }
  } catch (...) {
    pacer_->abandon(start, done + 1);
    throw;
  }
  pacer_->finish(start, n);
}

uint8_t Chip::SpiState::clock(ChipCore& core, uint8_t mosi_on_wire, const ByteSlot* slot) {
  FaultInjector& faults = core.faults();
  bool mosi_lost = false, miso_lost = false;
  uint8_t mosi = faults.on_mosi(mosi_on_wire, mosi_lost);
  // Full duplex: what goes out now was decided before this byte came in.
  uint8_t miso = selected_ ? next_out(slot) : wire::kIdleByte;
  miso = faults.on_miso(miso, miso_lost);
  if (miso_lost && selected_) miso = next_out(slot);  // the host misses one byte: it sees the next
  if (!selected_ || mosi_lost) return miso;           // a lost byte never reached the chip
  if (window_start_) {
    window_start_ = false;
    start_window(mosi);
  }
  if (phase_ == Phase::Receiving) {
    try {
      receive(core, mosi, slot);
    } catch (...) {
      discard();  // the window is void; the host must start over
      phase_ = Phase::Done;
      throw;
    }
  }
  return miso;
}

void Chip::SpiState::start_window(uint8_t mosi) {
  if (mosi == wire::kCommandSync) {
    // MODELLED: a new command; whatever answer was pending is dropped.
    drop_answer();
    drop_command();
    phase_ = Phase::Receiving;
  } else if (phase_ != Phase::Responding) {
    drop_command();
    phase_ = Phase::Receiving;  // nothing pending: a frame with a bad sync
  }
  // Otherwise a poll or a dummy byte: the pending answer continues.
}

uint8_t Chip::SpiState::next_out(const ByteSlot* slot) {
  if (phase_ != Phase::Responding) return wire::kIdleByte;
  // MODELLED: still computing. A busy-polls fault comes on top of this.
  if (ready_at_ && slot && slot->start < *ready_at_) return wire::kIdleByte;
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

void Chip::SpiState::receive(ChipCore& core, uint8_t b, const ByteSlot* slot) {
  rx_.push_back(b);
  if (rx_.size() == wire::kHeaderSize) {
    bool sync_ok = rx_[0] == wire::kCommandSync && rx_[1] == wire::kCommandSync2;
    expected_ = wire::frame_size_from_header(rx_);
    if (!sync_ok || expected_ == 0) {
      // Not a command, or longer than any frame: answer now instead of
      // swallowing up to 64 KB of whatever follows.
      wipe(rx_);
      expected_ = 0;
      respond(core, core.frame_error());
      return;
    }
  }
  if (rx_.size() < wire::kHeaderSize || rx_.size() < expected_) return;
  wire::CommandFrame frame;
  bool intact = wire::decode_command(rx_, frame) == wire::FrameError::None;
  wipe(rx_);
  // The chip time starts when the last byte is in, and never before the
  // present: the simulator's own work overlaps it, and the answer cannot come
  // sooner than the model says in real time either.
  std::optional<ChipClock::time_point> arrived;
  if (slot && intact) arrived = std::max(slot->end, pacer_->clock().now());
  // The chip's libcrypto work never leaves errors on the host thread's queue,
  // whatever link carries the bytes (in-process bus, MPSSE model, daemon).
  ossl::ErrorQueueMark mark;
  Bytes response = intact ? core.execute(frame) : core.frame_error();
  wipe(frame.payload);  // may hold a private key being imported
  if (core.faults().silent()) {
    // MODELLED fault: the command ran but its answer never comes.
    wipe(response);
    phase_ = Phase::Done;
    return;
  }
  respond(core, std::move(response));
  if (arrived) ready_at_ = *arrived + command_time(frame.command, core.key_curve(), times_);
}

void Chip::SpiState::respond(ChipCore& core, Bytes frame) {
  tx_ = std::move(frame);
  tx_pos_ = 0;
  busy_ = core.faults().take_busy_polls();
  ready_at_.reset();
  phase_ = Phase::Responding;
}

Chip::Chip(std::unique_ptr<ChipCore> core)
    : core_(std::move(core)), spi_(std::make_unique<SpiState>()) {}

Chip::~Chip() = default;

std::unique_ptr<Chip> Chip::open(const std::string& state_path) {
  return std::unique_ptr<Chip>(new Chip(std::make_unique<ChipCore>(state_path)));
}

void Chip::select() {
  spi_->select();
  core_->counters().add_select();
}

void Chip::deselect() {
  spi_->deselect();
  // What the command did, for other processes to read: once its answer is
  // out, not after every poll window (a file lock and four syscalls each).
  if (!spi_->answering()) core_->counters().flush_after_window();
}

void Chip::discard_pending() {
  spi_->discard();
}

void Chip::enable_latency_model(const LatencySettings& settings, std::shared_ptr<ChipClock> clock) {
  if (!clock) clock = std::make_shared<SteadyChipClock>();
  spi_->enable_latency(std::make_unique<BusPacer>(settings.spi_clock_hz, std::move(clock)),
                       settings.times);
}

uint8_t Chip::clock(uint8_t mosi) {
  core_->counters().add_bytes(1, 1);
  uint8_t miso = 0;
  size_t done = 0;
  spi_->transfer(*core_, &mosi, &miso, 1, done);
  return miso;
}

void Chip::transfer(const uint8_t* mosi, uint8_t* miso, size_t n) {
  size_t done = 0;
  try {
    spi_->transfer(*core_, mosi, miso, n, done);
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
