// Test support of the transport tests: a SpiBus that forwards to another bus
// and records what crossed it, round trip by round trip, and the command
// frames the host sent (a Transfer op starting AA 00 is a frame's window: the
// link sends each command frame as one transfer of its own).
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "simulated_links/sim_bus.h"
#include "simulator/chip.h"
#include "test/support/temp_chip.h"
#include "transport/device.h"
#include "transport/spi_bus.h"
#include "transport/spi_link.h"
#include "wire/frame_codec.h"

namespace maxq::testing {

class RecordingBus : public transport::SpiBus {
 public:
  explicit RecordingBus(std::unique_ptr<transport::SpiBus> inner) : inner_(std::move(inner)) {}

  Bytes run(const std::vector<transport::SpiOp>& ops) override {
    Bytes rx = inner_->run(ops);
    std::lock_guard<std::mutex> guard(mutex_);
    ++runs_;
    for (const auto& op : ops) {
      if (op.kind != transport::SpiOp::Kind::Transfer) continue;
      mosi_.insert(mosi_.end(), op.tx.begin(), op.tx.end());
      if (op.tx.size() >= wire::kHeaderSize + wire::kCrcSize && op.tx[0] == wire::kCommandSync &&
          op.tx[1] == wire::kCommandSync2)
        raw_frames_.push_back(op.tx);
    }
    miso_.insert(miso_.end(), rx.begin(), rx.end());
    return rx;
  }
  std::string describe() const override { return inner_->describe(); }
  std::string lock_path() const override { return inner_->lock_path(); }
  bool reaches_hardware() const override { return inner_->reaches_hardware(); }
  transport::SpiBus& inner() { return *inner_; }

  // The command frames sent so far, as sent (header, data, CRC).
  std::vector<Bytes> raw_frames() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return raw_frames_;
  }
  // The same, decoded; a frame that does not decode (bad CRC) fails the test.
  std::vector<wire::CommandFrame> frames() const {
    std::vector<wire::CommandFrame> out;
    for (const Bytes& raw : raw_frames()) {
      wire::CommandFrame f;
      REQUIRE(wire::decode_command(raw, f) == wire::FrameError::None);
      out.push_back(std::move(f));
    }
    return out;
  }
  // The command codes of the frames sent so far, in order.
  std::vector<wire::Command> commands() const {
    std::vector<wire::Command> out;
    for (const auto& f : frames()) out.push_back(static_cast<wire::Command>(f.command));
    return out;
  }
  Bytes mosi() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return mosi_;
  }
  Bytes miso() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return miso_;
  }
  int runs() const {
    std::lock_guard<std::mutex> guard(mutex_);
    return runs_;
  }
  void clear() {
    std::lock_guard<std::mutex> guard(mutex_);
    raw_frames_.clear();
    mosi_.clear();
    miso_.clear();
    runs_ = 0;
  }

 private:
  std::unique_ptr<transport::SpiBus> inner_;
  mutable std::mutex mutex_;
  std::vector<Bytes> raw_frames_;
  Bytes mosi_, miso_;
  int runs_ = 0;
};

// A provisioned chip and a Device on it (in process) whose bus is recorded.
struct RecordedChip {
  TempChip t;
  RecordingBus* bus = nullptr;  // owned by dev's link
  std::unique_ptr<transport::Device> dev;
  explicit RecordedChip(transport::SpiLinkOptions options = {}) {
    auto rec = std::make_unique<RecordingBus>(
        std::make_unique<transport::SimBus>(sim::Chip::open(t.state)));
    bus = rec.get();
    dev = std::make_unique<transport::Device>(
        std::make_unique<transport::SpiLink>(std::move(rec), options));
  }
  sim::Chip& chip() { return dynamic_cast<transport::SimBus&>(bus->inner()).chip(); }
};

// Bytes from "AA 00 F7 ..." (hex pairs, spaces ignored).
inline Bytes hex(const std::string& text) {
  Bytes out;
  std::string digits;
  for (char c : text)
    if (c != ' ' && c != '\n') digits.push_back(c);
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace maxq::testing
