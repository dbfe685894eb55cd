// The SPI link: the exact bytes on the bus and the number of bus round trips.
#include "transport/spi_link.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "simulator/latency_model.h"
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
      if (op.kind == transport::SpiOp::Kind::Transfer)
        mosi.insert(mosi.end(), op.tx.begin(), op.tx.end());
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
    auto rec = std::make_unique<RecordingBus>(
        std::make_unique<transport::SimBus>(sim::Chip::open(t.state)));
    bus = rec.get();
    dev = std::make_unique<transport::Device>(
        std::make_unique<transport::SpiLink>(std::move(rec), options));
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
  CHECK(std::all_of(r.bus->mosi.begin() + 11, r.bus->mosi.end(),
                    [](uint8_t b) { return b == 0xCC; }));
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

TEST_CASE("one sign and one ping cost one bus round trip, two when the chip is busier", "[spi]") {
  RecordedDevice r;
  r.t.authenticate(*r.dev);
  r.dev->create_object(transport::ObjectSpec::key_pair(0x0101, wire::Curve::P256));
  r.dev->generate_key(0x0101, wire::Curve::P256);
  auto before = r.chip().counters().snapshot();
  int runs = r.bus->runs;
  CHECK(r.dev->sign(0x0101, Bytes(32, 1)).size() == 64);
  CHECK(r.bus->runs - runs == 1);
  runs = r.bus->runs;
  r.dev->ping(Bytes{1, 2, 3, 4});
  CHECK(r.bus->runs - runs == 1);

  // Busy beyond the first trip's margin, but the 0x55 still comes back in it:
  // one more trip for the rest of the frame.
  r.chip().faults().busy_for_polls(30);
  runs = r.bus->runs;
  CHECK(r.dev->sign(0x0101, Bytes(32, 2)).size() == 64);
  CHECK(r.bus->runs - runs == 2);
  r.chip().faults().busy_for_polls(30);
  runs = r.bus->runs;
  r.dev->ping(Bytes{1, 2, 3, 4});
  CHECK(r.bus->runs - runs == 2);
  // Each was still one command on the chip.
  auto delta = r.chip().counters().snapshot() - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::SignVerify)) == 2);
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::Ping)) == 2);
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

// ---- SpiLink against a scripted bus (no chip): exact round trips and bytes ----

namespace {

// A scripted SPI slave: after a command frame (its length taken from the
// header) it clocks `busy` idle bytes, then `response`, then idle bytes. Records
// every round trip.
class ScriptedBus : public transport::SpiBus {
 public:
  Bytes response;
  size_t busy = 0;
  size_t short_by = 0;  // a broken bus: returns fewer bytes than clocked
  std::vector<std::vector<transport::SpiOp>> runs;

  Bytes run(const std::vector<transport::SpiOp>& ops) override {
    runs.push_back(ops);
    Bytes rx;
    for (const auto& op : ops) {
      if (op.kind == transport::SpiOp::Kind::Select) {
        selected_ = true;
        received_.clear();
        sent_ = 0;
      } else if (op.kind == transport::SpiOp::Kind::Deselect) {
        selected_ = false;
      } else {
        for (uint8_t b : op.tx) rx.push_back(clock(b));
      }
    }
    rx.resize(rx.size() - std::min(short_by, rx.size()));
    return rx;
  }
  std::string describe() const override { return "scripted"; }
  std::string lock_path() const override { return ""; }
  bool selected() const { return selected_; }
  size_t clocked_in_run(size_t i) const {
    size_t n = 0;
    for (const auto& op : runs.at(i)) n += op.tx.size();
    return n;
  }

 private:
  uint8_t clock(uint8_t mosi) {
    if (!selected_) return 0xFF;
    size_t frame = received_.size() >= 5 ? wire::frame_size_from_header(received_) : 0;
    if (frame == 0 || received_.size() < frame) {
      received_.push_back(mosi);
      return wire::kIdleByte;
    }
    size_t t = sent_++;
    if (t < busy) return wire::kIdleByte;
    return t - busy < response.size() ? response[t - busy] : wire::kIdleByte;
  }
  bool selected_ = false;
  Bytes received_;
  size_t sent_ = 0;
};

using Kind = transport::SpiOp::Kind;

struct ScriptedLink {
  ScriptedBus* bus;
  transport::SpiLink link;
  explicit ScriptedLink(transport::SpiLinkOptions options = {})
      : ScriptedLink(std::make_unique<ScriptedBus>(), options) {}
  ScriptedLink(std::unique_ptr<ScriptedBus> b, transport::SpiLinkOptions options)
      : bus(b.get()), link(std::move(b), options) {}
};

Bytes payload_of(size_t n) {
  Bytes p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(0x55 + i);  // 0x55 inside the data too
  return p;
}

}  // namespace

TEST_CASE("SpiLink: one round trip when the expected size is right; chip select released lazily",
          "[spi][scripted]") {
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(64));
  s.bus->response = rsp;
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(64, 1));
  CHECK(s.link.transact(frame, 64) == rsp);
  REQUIRE(s.bus->runs.size() == 1);
  const auto& first = s.bus->runs[0];
  REQUIRE(first.size() == 2);
  CHECK(first[0].kind == Kind::Select);
  CHECK(first[1].kind == Kind::Transfer);
  // The frame, then polls: the expected answer plus the busy margin.
  CHECK(first[1].tx.size() == frame.size() + rsp.size() + transport::SpiLinkOptions{}.busy_margin);
  CHECK(Bytes(first[1].tx.begin(), first[1].tx.begin() + frame.size()) == frame);
  CHECK(s.bus->selected());  // left open: saves a round trip

  // The next command releases the previous window in its own first round trip.
  CHECK(s.link.transact(frame, 64) == rsp);
  REQUIRE(s.bus->runs.size() == 2);
  REQUIRE(s.bus->runs[1].size() == 3);
  CHECK(s.bus->runs[1][0].kind == Kind::Deselect);
  CHECK(s.bus->runs[1][1].kind == Kind::Select);

  // reset() releases at once, and only when a window is open.
  s.link.reset();
  REQUIRE(s.bus->runs.size() == 3);
  CHECK(s.bus->runs[2].size() == 1);
  CHECK(s.bus->runs[2][0].kind == Kind::Deselect);
  CHECK_FALSE(s.bus->selected());
  s.link.reset();
  CHECK(s.bus->runs.size() == 3);
}

TEST_CASE("SpiLink: a longer answer costs exactly one more round trip for the missing bytes",
          "[spi][scripted]") {
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(300));
  s.bus->response = rsp;
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(4, 1));
  CHECK(s.link.transact(frame, 4) == rsp);
  REQUIRE(s.bus->runs.size() == 2);
  size_t first_polls = s.bus->clocked_in_run(0) - frame.size();
  CHECK(s.bus->clocked_in_run(1) == rsp.size() - first_polls);  // nothing more than missing
  CHECK(s.bus->runs[1].back().kind == Kind::Deselect);          // closed in the same trip
  CHECK_FALSE(s.bus->selected());
}

TEST_CASE("SpiLink: a busy chip is polled in growing batches", "[spi][scripted]") {
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(8));
  s.bus->response = rsp;
  s.bus->busy = 10000;
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(8, 1));
  CHECK(s.link.transact(frame, 8) == rsp);
  // 64, 128, ... 4096, 4096: far fewer trips than polls.
  CHECK(s.bus->runs.size() <= 10);
  for (size_t i = 2; i + 1 < s.bus->runs.size(); ++i)
    CHECK(s.bus->clocked_in_run(i) >= s.bus->clocked_in_run(i - 1));
}

TEST_CASE("SpiLink: polling batches stop at max_poll_batch", "[spi][scripted]") {
  transport::SpiLinkOptions options;
  options.max_poll_batch = 250;
  ScriptedLink s(options);
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(8));
  s.bus->response = rsp;
  s.bus->busy = 2500;  // 20 ms at 1 MHz
  CHECK(s.link.transact(wire::encode_command(wire::Command::Ping, Bytes(8, 1)), 8) == rsp);
  size_t polled = 0;
  for (size_t i = 1; i < s.bus->runs.size(); ++i) {
    CHECK(s.bus->clocked_in_run(i) <= 250);
    polled += s.bus->clocked_in_run(i);
  }
  // The answer came within one batch of being ready: polls beyond the first
  // trip's are the busy time plus at most one batch.
  CHECK(polled <= 2500 + 250);
}

TEST_CASE("SpiLink options for a bus clock: budget and batches sized in time", "[spi]") {
  auto at_1mhz = transport::SpiLinkOptions::for_clock(1000000);
  CHECK(at_1mhz.max_poll_batch == 250);  // 2 ms of polls
  CHECK(at_1mhz.poll_budget == 250000);  // 2 s of polls
  auto at_30mhz = transport::SpiLinkOptions::for_clock(30000000);
  CHECK(at_30mhz.max_poll_batch == 4096);
  CHECK(at_30mhz.poll_budget == 7500000);
  auto slow = transport::SpiLinkOptions::for_clock(10000);
  CHECK(slow.max_poll_batch == 64);  // never below the first batch
  CHECK(slow.poll_budget == transport::SpiLinkOptions{}.poll_budget);
  // The budget outlasts the slowest modelled command with room to spare.
  CHECK(transport::SpiLinkOptions::kLongestCommandSeconds >=
        2 * std::chrono::duration<double>(sim::longest_command_time()).count());
}

TEST_CASE("SpiLink: the header split across round trips is completed with the rest in one trip",
          "[spi][scripted]") {
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(8, 1));
  size_t first_polls =
      wire::kHeaderSize + 8 + wire::kCrcSize + transport::SpiLinkOptions{}.busy_margin;
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(8));
  s.bus->response = rsp;
  s.bus->busy = first_polls - 2;  // only 55 and the status high byte arrive in trip 1
  CHECK(s.link.transact(frame, 8) == rsp);
  CHECK(s.bus->runs.size() == 2);
}

TEST_CASE("SpiLink: no answer within the poll budget is a Timeout after exactly the budget",
          "[spi][scripted]") {
  transport::SpiLinkOptions options;
  options.poll_budget = 1000;
  ScriptedLink s(options);
  s.bus->busy = 1000000;
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(1, 1));
  try {
    s.link.transact(frame, 1);
    FAIL("no timeout");
  } catch (const transport::LinkError& e) {
    CHECK(e.kind() == transport::LinkError::Kind::Timeout);
    CHECK_THAT(e.what(), Catch::Contains("within 1000 polls") && Catch::Contains("wiring") &&
                             Catch::Contains("busy"));
  }
  size_t clocked = 0;
  for (size_t i = 0; i < s.bus->runs.size(); ++i) clocked += s.bus->clocked_in_run(i);
  CHECK(clocked == frame.size() + 1000);
}

TEST_CASE("SpiLink: a bus that returns fewer bytes than clocked is an I/O error",
          "[spi][scripted]") {
  ScriptedLink s;
  s.bus->response = wire::encode_response(wire::Status::Ok, payload_of(4));
  s.bus->short_by = 1;
  try {
    s.link.transact(wire::encode_command(wire::Command::Ping, Bytes(4, 1)), 4);
    FAIL("short bus reply accepted");
  } catch (const transport::LinkError& e) {
    CHECK(e.kind() == transport::LinkError::Kind::Io);
  }
}

TEST_CASE("SpiLink: never returns more than the header announces", "[spi][scripted]") {
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(2));
  s.bus->response = rsp;
  s.bus->response.insert(s.bus->response.end(), {0x55, 0x55, 0x55});  // junk after the frame
  CHECK(s.link.transact(wire::encode_command(wire::Command::Ping, Bytes(2, 1)), 200) == rsp);
}

TEST_CASE("SpiLink releases chip select when it goes away", "[spi][scripted]") {
  auto bus = std::make_unique<ScriptedBus>();
  ScriptedBus* raw = bus.get();
  // The scripted bus outlives the link so it can be inspected afterwards.
  struct Forwarding : transport::SpiBus {
    ScriptedBus* to = nullptr;
    Bytes run(const std::vector<transport::SpiOp>& ops) override { return to->run(ops); }
    std::string describe() const override { return "fwd"; }
    std::string lock_path() const override { return ""; }
  };
  auto fwd = std::make_unique<Forwarding>();
  fwd->to = raw;
  raw->response = wire::encode_response(wire::Status::Ok, Bytes{7});
  {
    transport::SpiLink link(std::move(fwd));
    link.transact(wire::encode_command(wire::Command::Ping, Bytes{7}), 1);
    CHECK(raw->selected());
  }
  CHECK_FALSE(raw->selected());
  CHECK(raw->runs.back().size() == 1);
  CHECK(raw->runs.back()[0].kind == Kind::Deselect);
}
