// The in-memory FT232H: MPSSE command decoding, chip-select edges, transfers
// into the simulated chip, and the violations it reports.
#include "simulator/mpsse_model.h"

#include <catch2/catch.hpp>

#include "simulator/sim_daemon_test_support.h"

using namespace maxq;
using sim::MpsseModel;
using sim::testing::ScratchChip;

namespace {

// The published ping exchange (docs/maxq106x-protocol.md §7).
const Bytes kPingFrame = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};
const Bytes kPingAnswer = {0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32};

struct Bench {
  ScratchChip chip;
  MpsseModel model{sim::Chip::open(chip.state), 3};
  Bench() { model.set_bitmode(0, MpsseModel::kBitmodeMpsse); }
  Bytes read_all() {
    Bytes out(model.pending_output());
    size_t n = model.read(out.data(), out.size());
    out.resize(n);
    return out;
  }
};

// 0x31 header for n bytes, then the bytes.
Bytes transfer(const Bytes& tx) {
  Bytes c = {0x31, static_cast<uint8_t>(tx.size() - 1), static_cast<uint8_t>((tx.size() - 1) >> 8)};
  c.insert(c.end(), tx.begin(), tx.end());
  return c;
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

const Bytes kConfigure1MHz = {0x8A, 0x97, 0x8D, 0x85, 0x86, 0x1D, 0x00, 0x80, 0x08, 0x0B};
const Bytes kSelect = {0x80, 0x00, 0x0B};
const Bytes kDeselect = {0x80, 0x08, 0x0B};

}  // namespace

TEST_CASE("a ping frame clocked through MPSSE reaches the chip and its answer comes back",
          "[mpsse]") {
  Bench b;
  b.model.write(kConfigure1MHz);
  CHECK(b.model.sck_hz() == 1000000);
  CHECK_FALSE(b.model.chip_selected());
  Bytes polls(19, 0xCC);
  b.model.write(cat({kSelect, transfer(cat({kPingFrame, polls})), {0x87}}));
  CHECK(b.model.chip_selected());
  Bytes miso = b.read_all();
  REQUIRE(miso.size() == kPingFrame.size() + polls.size());
  // While the frame goes in the chip clocks idle bytes, then the answer follows at once.
  CHECK(Bytes(miso.begin(), miso.begin() + 11) == Bytes(11, 0x00));
  CHECK(Bytes(miso.begin() + 11, miso.begin() + 22) == kPingAnswer);
  b.model.write(kDeselect);
  CHECK_FALSE(b.model.chip_selected());
  CHECK(b.model.violations().empty());
  const sim::MpsseStats& s = b.model.stats();
  CHECK(s.selects == 1);
  CHECK(s.deselects == 1);
  CHECK(s.spi_bytes == 30);
  CHECK(s.send_immediates == 1);
  CHECK(s.unflushed_reads == 0);
  CHECK(b.model.chip().counters().snapshot().count(0xF7) >= 1);
  CHECK(b.model.spi_seconds() == Approx(30 * 8 / 1e6));
}

TEST_CASE("commands split across USB writes are joined", "[mpsse]") {
  Bench b;
  b.model.write(kConfigure1MHz);
  Bytes stream = cat({kSelect, transfer(cat({kPingFrame, Bytes(11, 0xCC)})), {0x87}});
  // Byte by byte: every command arrives in pieces.
  for (uint8_t byte : stream) b.model.write(Bytes{byte});
  Bytes miso = b.read_all();
  REQUIRE(miso.size() == 22);
  CHECK(Bytes(miso.begin() + 11, miso.end()) == kPingAnswer);
  CHECK(b.model.stats().usb_writes == 1 + stream.size());
  CHECK(b.model.violations().empty());
}

TEST_CASE("clock settings: divisor, divide-by-5", "[mpsse]") {
  Bench b;
  CHECK(b.model.divide_by_5());  // power-up state: 12 MHz base
  b.model.write(Bytes{0x86, 0x02, 0x00});
  CHECK(b.model.sck_hz() == 2000000);
  b.model.write(Bytes{0x8A});
  CHECK(b.model.sck_hz() == 10000000);
  b.model.write(Bytes{0x86, 0xFF, 0xFF});
  CHECK(b.model.sck_hz() == 457);
  b.model.write(Bytes{0x8B, 0x86, 0x00, 0x00});
  CHECK(b.model.sck_hz() == 6000000);
  b.model.write(Bytes{0x8C, 0x96});
  CHECK(b.model.three_phase());
  CHECK(b.model.adaptive());
  b.model.write(Bytes{0x8D, 0x97});
  CHECK_FALSE(b.model.three_phase());
  CHECK_FALSE(b.model.adaptive());
  CHECK(b.model.violations().empty());
}

TEST_CASE("an invalid opcode is answered with 0xFA and the opcode", "[mpsse]") {
  Bench b;
  b.model.write(Bytes{0xAA, 0x87});
  CHECK(b.read_all() == Bytes({0xFA, 0xAA}));
  REQUIRE(b.model.violations().size() == 1);
  CHECK(b.model.violations()[0].find("0xAA") != std::string::npos);
}

TEST_CASE("loopback returns MOSI and keeps the chip out of it", "[mpsse]") {
  Bench b;
  b.model.write(kConfigure1MHz);
  b.model.write(cat({{0x84}, kSelect, transfer({1, 2, 3}), {0x87}}));
  CHECK(b.model.loopback());
  CHECK(b.read_all() == Bytes({1, 2, 3}));
  b.model.write(Bytes{0x85});
  CHECK_FALSE(b.model.loopback());
  CHECK(b.model.chip().counters().snapshot().bytes_to_chip == 0);
}

TEST_CASE("write-only 0x11 and read-only 0x20 transfers", "[mpsse]") {
  Bench b;
  b.model.write(kConfigure1MHz);
  // The frame goes out with 0x11 (nothing comes back), the answer is read with 0x20.
  Bytes out = {0x11, static_cast<uint8_t>(kPingFrame.size() - 1), 0x00};
  out.insert(out.end(), kPingFrame.begin(), kPingFrame.end());
  b.model.write(cat({kSelect, out, {0x87}}));
  CHECK(b.model.pending_output() == 0);
  b.model.write(Bytes{0x20, 0x0A, 0x00, 0x87});
  CHECK(b.read_all() == kPingAnswer);
  CHECK(b.model.violations().empty());
}

TEST_CASE("bytes clocked with chip select high never reach the chip", "[mpsse]") {
  Bench b;
  b.model.write(kConfigure1MHz);
  b.model.write(cat({transfer(kPingFrame), {0x87}}));
  CHECK(b.read_all() == Bytes(kPingFrame.size(), 0xFF));
  CHECK(b.model.stats().spi_bytes_deselected == kPingFrame.size());
  CHECK(b.model.chip().counters().snapshot().total_commands() == 0);
}

TEST_CASE("chip select on another ADBUS pin than the one wired is not seen", "[mpsse]") {
  ScratchChip chip;
  MpsseModel model(sim::Chip::open(chip.state), 4);  // board wires CS to ADBUS4
  model.set_bitmode(0, MpsseModel::kBitmodeMpsse);
  model.write(kConfigure1MHz);  // host drives ADBUS3
  model.write(kSelect);
  CHECK_FALSE(model.chip_selected());
  model.write(Bytes{0x80, 0x08, 0x1B});  // ADBUS3 high, ADBUS4 low (output)
  CHECK(model.chip_selected());
}

TEST_CASE("reading ADBUS reports driven outputs and pulled-up inputs", "[mpsse]") {
  Bench b;
  b.model.write(Bytes{0x80, 0x08, 0x0B, 0x81, 0x87});
  CHECK(b.read_all() == Bytes({0xFC}));  // SCK, MOSI low; MISO and the rest high
}

TEST_CASE("what a mode-0 SPI master must not do is reported", "[mpsse]") {
  Bench b;
  SECTION("clock idling high") {
    b.model.write(Bytes{0x80, 0x09, 0x0B});
    CHECK(b.model.violations().size() == 1);
  }
  SECTION("driving MISO") {
    b.model.write(Bytes{0x80, 0x08, 0x0F});
    CHECK_FALSE(b.model.violations().empty());
  }
  SECTION("transfers before the pins are outputs") {
    b.model.write(transfer({1}));
    CHECK(b.model.violations().size() == 2);  // SCK and MOSI are inputs
  }
  SECTION("3-phase or adaptive clocking during a transfer") {
    b.model.write(kConfigure1MHz);
    b.model.write(cat({{0x8C, 0x96}, transfer({1})}));
    CHECK(b.model.violations().size() == 2);
  }
  SECTION("writing before MPSSE mode") {
    b.model.set_bitmode(0, MpsseModel::kBitmodeReset);
    b.model.write(kConfigure1MHz);
    CHECK(b.model.violations().size() == 1);
  }
}

TEST_CASE("data not flushed by 0x87 is counted as a latency-timer wait", "[mpsse]") {
  Bench b;
  b.model.write(kConfigure1MHz);
  b.model.write(cat({kSelect, transfer(kPingFrame)}));
  b.read_all();
  CHECK(b.model.stats().unflushed_reads == 1);
}

TEST_CASE("purge and bit-mode reset clear the bridge", "[mpsse]") {
  Bench b;
  b.model.write(kConfigure1MHz);
  b.model.write(cat({kSelect, transfer({1, 2}), {0x87}}));
  CHECK(b.model.pending_output() == 2);
  b.model.purge();
  CHECK(b.model.pending_output() == 0);
  b.model.set_bitmode(0, MpsseModel::kBitmodeReset);
  CHECK_FALSE(b.model.chip_selected());  // pins released: chip select floats high
  CHECK(b.model.low_pins_direction() == 0);
  CHECK(b.model.divide_by_5());
}
