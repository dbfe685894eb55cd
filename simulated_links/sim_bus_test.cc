// SimBus: the in-process chip behaves like hardware on the host's side of the bus.
#include "simulated_links/sim_bus.h"

#include <openssl/err.h>

#include <catch2/catch.hpp>

#include "test/support/temp_chip.h"
#include "wire/frame_codec.h"

using namespace maxq;
using maxq::testing::TempChip;

TEST_CASE("the in-process chip leaves nothing on the caller's libcrypto error queue", "[simbus]") {
  TempChip t;
  auto dev = t.open_device();
  t.make_key(*dev, 0x0101);
  ERR_clear_error();
  Bytes off_curve(64, 0x01);  // refused inside the chip's own libcrypto context
  try {
    dev->ecdh(0x0101, off_curve);
    FAIL("an off-curve point was accepted");
  } catch (const transport::ChipError& e) {
    CHECK(e.status() == static_cast<uint16_t>(wire::Status::BadParameter));
  }
  CHECK_FALSE(dev->verify(0x0101, Bytes(32, 1), Bytes(64, 0)));
  // A hardware chip cannot touch the host's error queue; neither does the model.
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("SimBus runs a batch in order and returns the MISO bytes of its transfers", "[simbus]") {
  TempChip t;
  transport::SimBus bus(sim::Chip::open(t.state));
  CHECK(bus.describe() == "sim:" + t.state);
  CHECK(bus.lock_path().empty());
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes{0, 1, 2, 3});
  Bytes polls(16, wire::kPollByte);
  Bytes rx = bus.run({transport::SpiOp::select(), transport::SpiOp::transfer(frame),
                      transport::SpiOp::transfer(polls), transport::SpiOp::deselect()});
  REQUIRE(rx.size() == frame.size() + polls.size());
  Bytes answer(rx.begin() + static_cast<long>(frame.size()),
               rx.begin() + static_cast<long>(frame.size()) + 11);
  CHECK(answer == Bytes({0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32}));
  CHECK(bus.run({}).empty());
  CHECK_FALSE(bus.reaches_hardware());  // the simulator's extensions may be sent to it
}

TEST_CASE("SimBus keeps a pending answer across chip-select windows, as the SDK's hosts need",
          "[simbus]") {
  TempChip t;
  transport::SimBus bus(sim::Chip::open(t.state));
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes{0, 1, 2, 3});
  using transport::SpiOp;
  Bytes rx = bus.run({SpiOp::select(), SpiOp::transfer(frame), SpiOp::deselect()});
  CHECK(rx == Bytes(frame.size(), wire::kIdleByte));
  // One poll byte per window until 0x55, then the header rest and the data + CRC.
  Bytes polled;
  for (int i = 0; i < 8 && (polled.empty() || polled.back() != 0x55); ++i) {
    Bytes b =
        bus.run({SpiOp::select(), SpiOp::transfer(Bytes{wire::kPollByte}), SpiOp::deselect()});
    REQUIRE(b.size() == 1);
    polled.push_back(b[0]);
  }
  REQUIRE(!polled.empty());
  CHECK(polled.back() == 0x55);
  Bytes header = bus.run({SpiOp::select(), SpiOp::transfer(Bytes(4, 0xCC)), SpiOp::deselect()});
  CHECK(header == Bytes({0x00, 0x00, 0x00, 0x04}));
  Bytes rest = bus.run({SpiOp::select(), SpiOp::transfer(Bytes(6, 0x00)), SpiOp::deselect()});
  CHECK(rest == Bytes({0x00, 0x01, 0x02, 0x03, 0x22, 0x32}));
  // After the answer: idle bytes.
  CHECK(bus.run({SpiOp::select(), SpiOp::transfer(Bytes{0xCC}), SpiOp::deselect()}) ==
        Bytes{wire::kIdleByte});
}
