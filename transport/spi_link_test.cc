// The SPI link: the exact bytes on the bus and the number of bus round trips.
#include "transport/spi_link.h"

#include <catch2/catch.hpp>

#include "test/support/temp_chip.h"
#include "transport/errors.h"
#include "wire/frame_codec.h"

using namespace maxq;
using maxq::testing::TempChip;

namespace {

// Wraps a bus, recording every op and counting round trips.
class RecordingBus : public transport::SpiBus {
 public:
  explicit RecordingBus(std::unique_ptr<transport::SpiBus> inner) : inner_(std::move(inner)) {}
  Bytes run(const std::vector<transport::SpiOp>& ops) override {
    ++runs;
    Bytes rx = inner_->run(ops);
    for (const auto& op : ops)
      if (op.kind == transport::SpiOp::Kind::Transfer) mosi.insert(mosi.end(), op.tx.begin(), op.tx.end());
    miso.insert(miso.end(), rx.begin(), rx.end());
    return rx;
  }
  std::string describe() const override { return inner_->describe(); }
  std::string lock_path() const override { return ""; }
  transport::SpiBus& inner() { return *inner_; }
  int runs = 0;
  Bytes mosi, miso;

 private:
  std::unique_ptr<transport::SpiBus> inner_;
};

struct RecordedDevice {
  TempChip t;
  RecordingBus* bus = nullptr;
  std::unique_ptr<transport::Device> dev;
  explicit RecordedDevice(transport::SpiLinkOptions options = {}) {
    auto rec = std::make_unique<RecordingBus>(std::make_unique<transport::SimBus>(sim::Chip::open(t.state)));
    bus = rec.get();
    dev = std::make_unique<transport::Device>(std::make_unique<transport::SpiLink>(std::move(rec), options));
  }
  sim::Chip& chip() { return dynamic_cast<transport::SimBus&>(bus->inner()).chip(); }
};

bool contains(const Bytes& hay, const Bytes& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

}  // namespace

TEST_CASE("the published ping exchange crosses the bus byte for byte", "[spi]") {
  RecordedDevice r;
  Bytes echo = r.dev->ping(Bytes{0x00, 0x01, 0x02, 0x03});
  CHECK(echo == Bytes({0x00, 0x01, 0x02, 0x03}));
  Bytes host = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};
  Bytes chip = {0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32};
  REQUIRE(r.bus->mosi.size() >= host.size());
  CHECK(Bytes(r.bus->mosi.begin(), r.bus->mosi.begin() + 11) == host);
  // After the frame the host only clocks polls.
  CHECK(std::all_of(r.bus->mosi.begin() + 11, r.bus->mosi.end(), [](uint8_t b) { return b == 0xCC; }));
  CHECK(contains(r.bus->miso, chip));
}

TEST_CASE("a command costs one bus round trip when the chip answers promptly", "[spi]") {
  RecordedDevice r;
  r.dev->ping(Bytes(16, 7));
  CHECK(r.bus->runs == 1);
  r.dev->status();
  CHECK(r.bus->runs == 2);  // the previous window's deselect rides along
  r.dev->random(1024);
  CHECK(r.bus->runs == 3);
}

TEST_CASE("a busy chip costs extra polls, not a failure", "[spi]") {
  RecordedDevice r;
  r.chip().faults().busy_for_polls(500);
  CHECK(r.dev->ping(Bytes{9}) == Bytes{9});
  CHECK(r.bus->runs > 1);
  CHECK(r.bus->runs < 10);  // polls are batched, not one byte per round trip
}

TEST_CASE("a chip that never answers times out with a clear error", "[spi]") {
  transport::SpiLinkOptions options;
  options.poll_budget = 2000;
  RecordedDevice r(options);
  r.chip().faults().go_silent(true);
  try {
    r.dev->ping(Bytes{1});
    FAIL("ping succeeded on a silent chip");
  } catch (const transport::LinkError& e) {
    CHECK(e.kind() == transport::LinkError::Kind::Timeout);
    CHECK_THAT(e.what(), Catch::Contains("did not answer") && Catch::Contains("wiring"));
  }
  r.chip().faults().go_silent(false);
  CHECK(r.dev->ping(Bytes{2}) == Bytes{2});
}

TEST_CASE("a response length beyond the frame limit is refused", "[spi]") {
  // A scripted bus that answers 55 with an over-long header.
  class LyingBus : public transport::SpiBus {
   public:
    Bytes run(const std::vector<transport::SpiOp>& ops) override {
      Bytes rx;
      for (const auto& op : ops)
        if (op.kind == transport::SpiOp::Kind::Transfer) rx.insert(rx.end(), op.tx.size(), 0x00);
      if (!rx.empty() && !answered_) {
        Bytes bad = {0x55, 0x00, 0x00, 0xFF, 0xFF};
        std::copy(bad.begin(), bad.end(), rx.end() - 16);
        answered_ = true;
      }
      return rx;
    }
    std::string describe() const override { return "lying bus"; }
    std::string lock_path() const override { return ""; }
    bool answered_ = false;
  };
  transport::SpiLink link(std::make_unique<LyingBus>());
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes{1});
  CHECK_THROWS_AS(link.transact(frame, 1), transport::ProtocolError);
}
