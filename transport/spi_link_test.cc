// The SPI link drives chip select as the MAXQ106x SDK's hosts do (§2.3): a
// window for the command frame, one 1-byte window per poll, then a window for
// the rest of the header and one for the data and CRC; batched into few bus
// round trips. Scripted tests check the ops and bytes exactly; the rest runs
// against the simulated chip.
#include "transport/spi_link.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "simulator/latency_model.h"
#include "transport/errors.h"
#include "transport/recording_bus.h"
#include "wire/frame_codec.h"

using namespace maxq;
using maxq::testing::RecordedChip;
using transport::SpiOp;
using Kind = transport::SpiOp::Kind;
using Ops = std::vector<transport::SpiOp>;

namespace {

constexpr size_t kMargin = transport::SpiLinkOptions{}.busy_margin;

// A scripted SPI slave with the chip's window rules: a window whose first
// MOSI byte is 0xAA starts a command frame (its length from the header) and
// drops any pending answer; after the frame it clocks `busy` idle bytes, then
// `response`, then idle bytes, resuming across windows. Records every round trip.
class ScriptedBus : public transport::SpiBus {
 public:
  Bytes response;
  size_t busy = 0;
  size_t short_by = 0;  // a broken bus: returns fewer bytes than clocked
  std::vector<Ops> runs;

  Bytes run(const Ops& ops) override {
    runs.push_back(ops);
    Bytes rx;
    for (const auto& op : ops) {
      if (op.kind == Kind::Select) {
        selected_ = true;
        first_in_window_ = true;
      } else if (op.kind == Kind::Deselect) {
        selected_ = false;
        if (receiving_) received_.clear();  // a frame must come in one window
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
  Bytes frames_received;  // every complete command frame, concatenated

 private:
  uint8_t clock(uint8_t mosi) {
    if (!selected_) return 0xFF;
    const bool first = first_in_window_;
    first_in_window_ = false;
    if (first && mosi == wire::kCommandSync) {
      receiving_ = true;
      received_.clear();
      sent_ = 0;
    }
    if (receiving_) {
      received_.push_back(mosi);
      size_t frame = received_.size() >= 5 ? wire::frame_size_from_header(received_) : 0;
      if (frame != 0 && received_.size() == frame) {
        receiving_ = false;
        frames_received.insert(frames_received.end(), received_.begin(), received_.end());
      }
      return wire::kIdleByte;
    }
    size_t t = sent_++;
    if (t < busy) return wire::kIdleByte;
    return t - busy < response.size() ? response[t - busy] : wire::kIdleByte;
  }
  bool selected_ = false, first_in_window_ = false, receiving_ = false;
  Bytes received_;
  size_t sent_ = 0;
};

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

// The window of the command frame.
Ops frame_window(const Bytes& frame) {
  return {SpiOp::select(), SpiOp::transfer(frame), SpiOp::deselect()};
}
// `n` poll windows of one 0xCC byte each.
Ops poll_windows(size_t n) {
  Ops ops;
  for (size_t i = 0; i < n; ++i) {
    ops.push_back(SpiOp::select());
    ops.push_back(SpiOp::transfer(Bytes{0xCC}));
    ops.push_back(SpiOp::deselect());
  }
  return ops;
}
// One window clocking `n` bytes (header rest, data and CRC).
Ops read_window(size_t n) {
  return {SpiOp::select(), SpiOp::transfer(Bytes(n, 0xCC)), SpiOp::deselect()};
}
Ops concat(Ops a, const Ops& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
// Ops compared kind by kind and byte by byte.
bool same_ops(const Ops& a, const Ops& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].kind != b[i].kind || a[i].tx != b[i].tx) return false;
  return true;
}
// Whether `ops` consists of 1-byte poll windows only, and how many.
size_t poll_window_count(const Ops& ops) {
  REQUIRE(ops.size() % 3 == 0);
  REQUIRE(same_ops(ops, poll_windows(ops.size() / 3)));
  return ops.size() / 3;
}

}  // namespace

TEST_CASE("SpiLink: a prompt answer of the expected size is one round trip of SDK windows",
          "[spi][scripted]") {
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(64));
  s.bus->response = rsp;
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(64, 1));
  CHECK(s.link.transact(frame, 64) == rsp);
  REQUIRE(s.bus->runs.size() == 1);
  // The frame's window, then one 1-byte window per poll: the expected answer
  // (header, data, CRC) and the busy margin. The bytes after 0x55 are the answer.
  CHECK(same_ops(s.bus->runs[0], concat(frame_window(frame), poll_windows(rsp.size() + kMargin))));
  CHECK(s.bus->frames_received == frame);
  CHECK_FALSE(s.bus->selected());  // every window closed

  // The next command is the same again; reset() touches nothing.
  CHECK(s.link.transact(frame, 64) == rsp);
  REQUIRE(s.bus->runs.size() == 2);
  CHECK(same_ops(s.bus->runs[1], s.bus->runs[0]));
  s.link.reset();
  CHECK(s.bus->runs.size() == 2);
}

TEST_CASE("SpiLink: a longer answer: one data window with exactly the missing bytes",
          "[spi][scripted]") {
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(300));
  s.bus->response = rsp;
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(4, 1));
  CHECK(s.link.transact(frame, 4) == rsp);
  REQUIRE(s.bus->runs.size() == 2);
  const size_t polls = 5 + 4 + 2 + kMargin;  // 0x55 and the next 18 bytes arrive there
  CHECK(same_ops(s.bus->runs[0], concat(frame_window(frame), poll_windows(polls))));
  CHECK(same_ops(s.bus->runs[1], read_window(rsp.size() - polls)));
}

TEST_CASE("SpiLink: 0x55 in the last poll: a 4-byte header window, then a data window",
          "[spi][scripted]") {
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(8, 1));
  const size_t polls = 5 + 8 + 2 + kMargin;
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(8));
  s.bus->response = rsp;
  s.bus->busy = polls - 1;  // 0x55 is the last byte of trip 1
  CHECK(s.link.transact(frame, 8) == rsp);
  REQUIRE(s.bus->runs.size() == 3);
  CHECK(same_ops(s.bus->runs[0], concat(frame_window(frame), poll_windows(polls))));
  CHECK(same_ops(s.bus->runs[1], read_window(4)));      // the rest of the header
  CHECK(same_ops(s.bus->runs[2], read_window(8 + 2)));  // LEN data bytes and the CRC

  // Only 55 and the status high byte in trip 1: the header's other 3, then the rest.
  ScriptedLink split;
  split.bus->response = rsp;
  split.bus->busy = polls - 2;
  CHECK(split.link.transact(frame, 8) == rsp);
  REQUIRE(split.bus->runs.size() == 3);
  CHECK(same_ops(split.bus->runs[1], read_window(3)));
  CHECK(same_ops(split.bus->runs[2], read_window(8 + 2)));
}

TEST_CASE("SpiLink: a busy chip is polled one byte per window in doubling batches",
          "[spi][scripted]") {
  ScriptedLink s;
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(8));
  s.bus->response = rsp;
  s.bus->busy = 10000;
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(8, 1));
  CHECK(s.link.transact(frame, 8) == rsp);
  // 23 polls with the frame, then 64, 128, ... 4096 and 4096 more: the 0x55 at
  // poll 10001 and the 14 bytes after it are in the last batch.
  REQUIRE(s.bus->runs.size() == 9);
  CHECK(same_ops(s.bus->runs[0], concat(frame_window(frame), poll_windows(23))));
  std::vector<size_t> batches;
  for (size_t i = 1; i < s.bus->runs.size(); ++i)
    batches.push_back(poll_window_count(s.bus->runs[i]));
  CHECK(batches == std::vector<size_t>{64, 128, 256, 512, 1024, 2048, 4096, 4096});
}

TEST_CASE("SpiLink: polling batches stop at max_poll_batch", "[spi][scripted]") {
  transport::SpiLinkOptions options;
  options.max_poll_batch = 250;
  ScriptedLink s(options);
  Bytes rsp = wire::encode_response(wire::Status::Ok, payload_of(8));
  s.bus->response = rsp;
  s.bus->busy = 2500;  // 20 ms at 1 MHz
  CHECK(s.link.transact(wire::encode_command(wire::Command::Ping, Bytes(8, 1)), 8) == rsp);
  std::vector<size_t> batches;
  size_t polled = 0;
  for (size_t i = 1; i < s.bus->runs.size(); ++i) {
    batches.push_back(poll_window_count(s.bus->runs[i]));
    polled += batches.back();
  }
  REQUIRE(batches.size() >= 3);
  CHECK(batches[0] == 64);
  CHECK(batches[1] == 128);
  for (size_t i = 2; i < batches.size(); ++i) CHECK(batches[i] == 250);
  // The answer came within one batch of being ready.
  CHECK(polled <= 2500 + 250);
}

TEST_CASE("SpiLink options: a budget no tighter than the SDK's hosts, batches sized in time",
          "[spi]") {
  CHECK(transport::SpiLinkOptions{}.poll_budget == 120000);  // host_pc TIMEOUT
  CHECK(transport::SpiLinkOptions::kSdkPollBudget == 120000);
  // 10 s of polls (8 clocks each) at the bus clock, never fewer than the SDK's 120000.
  auto at_1mhz = transport::SpiLinkOptions::for_clock(1000000);
  CHECK(at_1mhz.max_poll_batch == 250);   // 2 ms of polls
  CHECK(at_1mhz.poll_budget == 1250000);  // 10 s
  auto at_30mhz = transport::SpiLinkOptions::for_clock(30000000);
  CHECK(at_30mhz.max_poll_batch == 4096);
  CHECK(at_30mhz.poll_budget == 37500000);
  auto slow = transport::SpiLinkOptions::for_clock(10000);
  CHECK(slow.max_poll_batch == 64);   // never below the first batch
  CHECK(slow.poll_budget == 120000);  // 10 s would be 12500 polls: the SDK's count wins
  // The budget outlasts the slowest modelled command with room to spare.
  CHECK(transport::SpiLinkOptions::kLongestCommandSeconds >=
        2 * std::chrono::duration<double>(sim::longest_command_time()).count());
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
  size_t polls = 0;
  for (size_t i = 1; i < s.bus->runs.size(); ++i) polls += poll_window_count(s.bus->runs[i]);
  CHECK(s.bus->clocked_in_run(0) + polls == frame.size() + 1000);
  CHECK_FALSE(s.bus->selected());
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
  CHECK(s.bus->runs.size() == 1);
}

TEST_CASE("SpiLink: a response length beyond the frame limit is refused", "[spi][scripted]") {
  ScriptedLink s;
  s.bus->response = {0x55, 0x00, 0x00, 0xFF, 0xFF};
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes{1});
  CHECK_THROWS_WITH(s.link.transact(frame, 1),
                    Catch::Contains("65535 data bytes") && Catch::Contains("2300"));
  CHECK(s.bus->runs.size() == 1);  // nothing more is read for it
}

// ---- Against the simulated chip ----

TEST_CASE("the published ping exchange crosses the bus byte for byte", "[spi]") {
  RecordedChip r;
  auto before = r.chip().counters().snapshot();
  CHECK(r.dev->ping(Bytes{0x00, 0x01, 0x02, 0x03}) == Bytes({0x00, 0x01, 0x02, 0x03}));
  Bytes host = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};
  Bytes chip = {0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32};
  CHECK(r.bus->raw_frames() == std::vector<Bytes>{host});
  // After the frame the host clocks only polls, one per window, and the chip
  // answers in them without delay.
  Bytes mosi = r.bus->mosi(), miso = r.bus->miso();
  const size_t polls = 11 + kMargin;
  REQUIRE(mosi.size() == host.size() + polls);
  CHECK(Bytes(mosi.begin() + 11, mosi.end()) == Bytes(polls, 0xCC));
  CHECK(Bytes(miso.begin() + 11, miso.begin() + 22) == chip);
  CHECK(r.bus->runs() == 1);
  auto delta = r.chip().counters().snapshot() - before;
  CHECK(delta.selects == 1 + polls);
  CHECK(delta.total_commands() == 1);
}

TEST_CASE("a command costs one bus round trip when the chip answers promptly", "[spi]") {
  RecordedChip r;
  r.dev->ping(Bytes(16, 7));
  CHECK(r.bus->runs() == 1);
  r.dev->status();
  CHECK(r.bus->runs() == 2);
  r.dev->random(1024);
  CHECK(r.bus->runs() == 3);
}

TEST_CASE("the chip keeps its answer across windows: header and data windows as the SDK reads",
          "[spi]") {
  RecordedChip r;
  Bytes data(300);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i);
  // A ping whose answer the link did not expect (hint 0): 0x55 and 14 more
  // bytes in the poll windows, then one window for the remaining 292.
  auto& link = dynamic_cast<transport::SpiLink&>(r.dev->link());
  Bytes frame = wire::encode_command(wire::Command::Ping, data);
  CHECK(link.transact(frame, 0) == wire::encode_response(wire::Status::Ok, data));
  CHECK(r.bus->runs() == 2);
  // Busy past the first trip's polls: poll windows, then the header rest
  // alone (4 bytes), then data and CRC.
  r.chip().faults().busy_for_polls(5 + 2 + kMargin + 63);
  CHECK(link.transact(frame, 0) == wire::encode_response(wire::Status::Ok, data));
  CHECK(r.bus->runs() == 2 + 4);
  CHECK(r.dev->ping(Bytes{1}) == Bytes{1});  // and the next command starts cleanly
}

TEST_CASE("one sign and one ping cost one bus round trip, two when the chip is busier", "[spi]") {
  RecordedChip r;
  r.t.make_key(*r.dev, 0x0101);
  auto before = r.chip().counters().snapshot();
  int runs = r.bus->runs();
  CHECK(r.dev->sign(0x0101, Bytes(32, 1)).size() == 64);
  CHECK(r.bus->runs() - runs == 1);
  runs = r.bus->runs();
  r.dev->ping(Bytes{1, 2, 3, 4});
  CHECK(r.bus->runs() - runs == 1);

  // Busy beyond the first trip's margin, but the 0x55 still comes back in it:
  // one more trip, a window for the rest of the frame.
  r.chip().faults().busy_for_polls(30);
  runs = r.bus->runs();
  CHECK(r.dev->sign(0x0101, Bytes(32, 2)).size() == 64);
  CHECK(r.bus->runs() - runs == 2);
  // A ping's first trip is shorter: its 0x55 and answer come in the next poll batch.
  r.chip().faults().busy_for_polls(30);
  runs = r.bus->runs();
  r.dev->ping(Bytes{1, 2, 3, 4});
  CHECK(r.bus->runs() - runs == 2);
  // Each was still one command on the chip.
  auto delta = r.chip().counters().snapshot() - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::SignVerify)) == 2);
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::Ping)) == 2);
}

TEST_CASE("a chip that never answers times out with a clear error", "[spi]") {
  transport::SpiLinkOptions options;
  options.poll_budget = 2000;
  RecordedChip r(options);
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
