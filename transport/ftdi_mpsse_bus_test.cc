// The FTDI link against the in-memory FT232H: the exact MPSSE bytes, USB round
// trips per chip command, large transfers, clock divisors.
#include "transport/ftdi_mpsse_bus.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>

#include "transport/credential_key.h"
#include "transport/ftdi_test_rig.h"
#include "wire/frame_codec.h"

using namespace maxq;
using namespace maxq::transport::testing;
using transport::ConfigError;
using transport::FtdiMpsseBus;
using transport::LinkError;
using transport::ModelFtdiUsb;
using transport::SpiOp;

namespace {

// Creates and generates a P-256 key pair 0x0101 as admin, the SDK's way.
void make_key(Rig& r, transport::Device& dev) {
  using transport::CredentialKey;
  dev.as_admin(CredentialKey::load(r.chip.admin_key, CredentialKey::Kind::Admin), [&] {
    dev.create_object(transport::ObjectSpec::key_pair(0x0101, wire::Curve::P256));
    dev.generate_key(0x0101, wire::Curve::P256,
                     CredentialKey::load(r.chip.provisioned.key_import_key_path,
                                         CredentialKey::Kind::KeyImport));
  });
}

// The MPSSE bytes of one chip-select window clocking `tx`: CS low, one
// transfer command (length - 1, little-endian), CS high.
Bytes window(const Bytes& tx) {
  Bytes out = {0x80,
               0x00,
               0x0B,
               0x31,
               static_cast<uint8_t>(tx.size() - 1),
               static_cast<uint8_t>((tx.size() - 1) >> 8)};
  out.insert(out.end(), tx.begin(), tx.end());
  out.insert(out.end(), {0x80, 0x08, 0x0B});
  return out;
}

}  // namespace

TEST_CASE("open and configure: the exact libftdi calls and MPSSE bytes", "[ftdi]") {
  Rig r;
  uint32_t hz = GENERATE(1000000u, 10000000u);
  auto bus = r.bus(hz);
  std::string divisor = hz == 1000000 ? "1d00" : "0200";  // 60 MHz / ((1 + d) * 2)
  std::vector<std::string> expected = {
      "open i:0x0403:0x6014", "reset", "purge", "latency 1", "bitmode 0 0", "bitmode 0 2",
      "write aa87",  // an invalid opcode to synchronise: answered fa aa
      "read 2 -> 2",
      // divide-by-5 off, adaptive off, 3-phase off, loopback off, divisor,
      // ADBUS: CS (ADBUS3) high, SCK and MOSI low; SCK, MOSI, CS outputs
      "write 8a978d8586" + divisor + "80080b"};
  CHECK(r.calls() == expected);
  CHECK(r.model->sck_hz() == hz);
  CHECK(r.model->latency_timer() == 1);
  CHECK(r.model->bitmode() == sim::MpsseModel::kBitmodeMpsse);
  CHECK_FALSE(r.model->loopback());
  CHECK_FALSE(r.model->chip_selected());
  // The sync opcode is the one deliberate bad command.
  REQUIRE(r.model->violations().size() == 1);
  CHECK(r.model->violations()[0].find("0xAA") != std::string::npos);
}

TEST_CASE("one ping: one USB write, one read, the published bytes", "[ftdi]") {
  Rig r;
  uint32_t hz = GENERATE(1000000u, 10000000u);
  auto dev = r.device(hz);
  r.calls().clear();
  CHECK(dev->ping(kPingData) == kPingData);
  // The SDK's chip-select windows in one USB write: the frame's window, then
  // 5 + 4 + 2 + 8 windows of one 0xCC poll each, then SEND_IMMEDIATE; the
  // same bytes at either clock.
  Bytes first = window(kPingFrame);
  for (int i = 0; i < 19; ++i) first = cat({first, window({0xCC})});
  first.push_back(0x87);
  REQUIRE(r.calls().size() == 2);
  CHECK(r.calls()[0] == "write " + to_hex(first));
  CHECK(r.calls()[1] == "read 30 -> 30");
  CHECK_FALSE(r.model->chip_selected());  // every window closed
  // The next command: the same bytes again.
  r.calls().clear();
  CHECK(dev->ping(kPingData) == kPingData);
  CHECK(r.calls() == std::vector<std::string>{"write " + to_hex(first), "read 30 -> 30"});
  CHECK(r.model->stats().unflushed_reads == 0);
  CHECK(r.model->spi_seconds() == Approx(2 * 30 * 8.0 / hz));
}

TEST_CASE("USB round trips per chip command, against naive one-byte polling", "[ftdi][batching]") {
  Rig r;
  auto dev = r.device();
  make_key(r, *dev);
  auto round_trips = [&](const std::function<void()>& command) {
    sim::MpsseStats before = r.model->stats();
    command();
    sim::MpsseStats after = r.model->stats();
    return std::make_pair(after.usb_writes - before.usb_writes, after.usb_reads - before.usb_reads);
  };
  Bytes digest(32, 0x42);
  auto ping = round_trips([&] { dev->ping(kPingData); });
  auto sign = round_trips([&] { dev->sign(0x0101, digest); });
  auto random = round_trips([&] { dev->random(32); });
  CHECK(ping == std::make_pair(uint64_t{1}, uint64_t{1}));
  CHECK(sign == std::make_pair(uint64_t{1}, uint64_t{1}));
  CHECK(random == std::make_pair(uint64_t{1}, uint64_t{1}));

  // A chip that takes 300 polls to answer: growing poll batches keep it at a few.
  r.model->chip().faults().busy_for_polls(300);
  auto busy_sign = round_trips([&] { dev->sign(0x0101, digest); });
  CHECK(busy_sign.first <= 4);
  CHECK(busy_sign.first == busy_sign.second);

  // The naive host: one byte per USB round trip, polling one byte at a time.
  auto naive = [&](const Bytes& frame, uint32_t busy) {
    auto& bus = dynamic_cast<transport::SpiLink&>(dev->link()).bus();
    r.model->chip().faults().busy_for_polls(busy);
    return round_trips([&] {
      bus.run({SpiOp::deselect(), SpiOp::select()});
      for (uint8_t b : frame) bus.run({SpiOp::transfer({b})});
      while (bus.run({SpiOp::transfer({0xCC})})[0] != 0x55) {
      }
      Bytes header = {0x55};
      for (int i = 0; i < 4; ++i) header.push_back(bus.run({SpiOp::transfer({0xCC})})[0]);
      size_t rest = static_cast<size_t>(header[3] << 8 | header[4]) + 2;
      for (size_t i = 0; i < rest; ++i) bus.run({SpiOp::transfer({0xCC})});
      bus.run({SpiOp::deselect()});
    });
  };
  PayloadWriter sign_payload;
  sign_payload.u8(wire::kModeSign)
      .u8(static_cast<uint8_t>(wire::Algorithm::EcdsaDigest))
      .u16(0x0101)
      .u16(0);
  sign_payload.u16(32).bytes(digest).u16(0);
  auto naive_ping = naive(kPingFrame, 0);
  auto naive_sign = naive(wire::encode_command(wire::Command::SignVerify, sign_payload.bytes()), 0);
  auto naive_busy_sign =
      naive(wire::encode_command(wire::Command::SignVerify, sign_payload.bytes()), 300);
  // Reported in the closing note of issue 4.
  WARN("USB write/read calls per command, batched vs naive one-byte polling: ping "
       << ping.first << "/" << ping.second << " vs " << naive_ping.first << "/" << naive_ping.second
       << "; sign " << sign.first << "/" << sign.second << " vs " << naive_sign.first << "/"
       << naive_sign.second << "; sign with 300 busy polls " << busy_sign.first << "/"
       << busy_sign.second << " vs " << naive_busy_sign.first << "/" << naive_busy_sign.second);
  CHECK(naive_ping.first >= 20 * ping.first);
  CHECK(naive_sign.first >= 100 * sign.first);
  CHECK(naive_busy_sign.first >= 50 * busy_sign.first);
  CHECK(r.model->stats().unflushed_reads == 0);
}

TEST_CASE("a batch reading more than the bridge buffer is split, and partial reads are joined",
          "[ftdi]") {
  Rig r;
  auto bus = r.bus();
  r.model_usb().limit_read_chunk(62);  // a full-speed USB packet's worth per read
  Bytes data(2000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 13 + 5);
  Bytes frame = wire::encode_command(wire::Command::Ping, data);
  Bytes tx = frame;
  tx.insert(tx.end(), frame.size(), 0xCC);  // the echo is as long as the frame
  std::vector<SpiOp> ops = {SpiOp::select(), SpiOp::transfer(tx), SpiOp::deselect()};
  auto trips = bus->encode(ops);
  REQUIRE(trips.size() == 4);
  CHECK(trips[0].read == 1024);
  CHECK(trips[3].read == tx.size() - 3 * 1024);
  for (const auto& t : trips) CHECK(t.write.back() == 0x87);
  r.calls().clear();
  Bytes rx = bus->run(ops);
  REQUIRE(rx.size() == tx.size());
  CHECK(Bytes(rx.begin() + static_cast<long>(frame.size()), rx.end()) ==
        wire::encode_response(wire::Status::Ok, data));
  // Every read call got at most one packet, and the bus kept reading until all arrived.
  auto partial = std::count_if(r.calls().begin(), r.calls().end(), [](const std::string& c) {
    return c.rfind("read ", 0) == 0 && c.size() > 6 && c.substr(c.size() - 6) == " -> 62";
  });
  long full_packets = 0;
  for (const auto& t : trips) full_packets += static_cast<long>(t.read / 62);
  CHECK(partial == full_packets);
  CHECK(r.model->stats().spi_bytes == tx.size());
  CHECK_FALSE(r.model->chip_selected());
}

TEST_CASE("a large object goes through the ftdi link intact", "[ftdi]") {
  Rig r;
  auto dev = r.device();
  Bytes data(2000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 31 + 7);
  dev->as_admin(
      transport::CredentialKey::load(r.chip.admin_key, transport::CredentialKey::Kind::Admin), [&] {
        dev->create_object(transport::ObjectSpec::data(0x0200, 2000));
        dev->write_object_chunked(0x0200, data);
      });
  CHECK(dev->read_object(0x0200) == data);
  CHECK(r.model->violations().size() == 1);  // only the sync opcode
}

TEST_CASE("SPI clock divisors", "[ftdi][clock]") {
  CHECK(FtdiMpsseBus::clock_divisor(1000000) == 29);
  CHECK(FtdiMpsseBus::clock_divisor(10000000) == 2);
  CHECK(FtdiMpsseBus::clock_divisor(30000000) == 0);
  CHECK(FtdiMpsseBus::clock_divisor(400000) == 74);
  CHECK(FtdiMpsseBus::clock_divisor(458) == 65502);
  CHECK(FtdiMpsseBus::clock_divisor(3340000) == 8);  // 3.333 MHz: within 1 %, not above
  auto refusal = [](uint32_t hz) {
    try {
      FtdiMpsseBus::clock_divisor(hz);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(refusal(7000000).find("6000000 Hz and 7500000 Hz") != std::string::npos);
  CHECK(refusal(20000000).find("15000000 Hz and 30000000 Hz") != std::string::npos);
  CHECK(refusal(0).find("out of range") != std::string::npos);
  CHECK(refusal(100).find("out of range") != std::string::npos);
  CHECK(refusal(457).find("out of range") != std::string::npos);
  CHECK(refusal(31000000).find("out of range") != std::string::npos);
  Rig r;
  CHECK_THROWS_AS(FtdiMpsseBus(r.make_usb(), r.config(7000000)), ConfigError);
  CHECK(r.calls().empty());  // refused before touching USB
}
