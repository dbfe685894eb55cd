// The chip's SPI face: framing, idle bytes, chip-select boundaries, bad frames.
#include "simulator/chip.h"

#include <catch2/catch.hpp>

#include "simulator/spi_test_host.h"
#include "test/support/temp_chip.h"
#include "wire/frame_codec.h"

using namespace maxq;
using maxq::testing::TempChip;

TEST_CASE("the chip answers a ping with the published bytes", "[chip]") {
  TempChip t;
  auto chip = sim::Chip::open(t.state);
  Bytes frame = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};
  Bytes miso(frame.size());
  chip->select();
  chip->transfer(frame.data(), miso.data(), frame.size());
  CHECK(std::all_of(miso.begin(), miso.end(), [](uint8_t b) { return b == wire::kIdleByte; }));
  Bytes polls(11, 0xCC), answer(11);
  chip->transfer(polls.data(), answer.data(), polls.size());
  chip->deselect();
  CHECK(answer == Bytes({0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32}));
}

TEST_CASE("damaged frames are answered with FrameError and not executed", "[chip]") {
  TempChip t;
  auto chip = sim::Chip::open(t.state);
  auto send_raw = [&](const Bytes& frame) {
    Bytes miso(frame.size());
    chip->select();
    chip->transfer(frame.data(), miso.data(), frame.size());
    Bytes polls(64, 0xCC), out(64);
    chip->transfer(polls.data(), out.data(), polls.size());
    chip->deselect();
    auto it = std::find(out.begin(), out.end(), wire::kResponseSync);
    REQUIRE(it != out.end());
    Bytes rsp(it, it + 7);
    wire::ResponseFrame r;
    REQUIRE(wire::decode_response(rsp, r) == wire::FrameError::None);
    return r.status;
  };
  Bytes bad_crc = wire::encode_command(wire::Command::Ping, Bytes{1});
  bad_crc.back() ^= 0xFF;
  CHECK(send_raw(bad_crc) == static_cast<uint16_t>(wire::Status::FrameError));
  CHECK(send_raw(Bytes{0xAA, 0x00, 0xF7, 0xFF, 0xFF}) == static_cast<uint16_t>(wire::Status::FrameError));
  CHECK(send_raw(Bytes{0xAB, 0x00, 0xF7, 0x00, 0x00}) == static_cast<uint16_t>(wire::Status::FrameError));
  CHECK(chip->counters().snapshot().frame_errors == 3);
  CHECK(chip->counters().snapshot().count(0xF7) == 0);
}

TEST_CASE("raising chip select mid-response discards the rest", "[chip]") {
  TempChip t;
  auto chip = sim::Chip::open(t.state);
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes(20, 9));
  Bytes miso(frame.size());
  chip->select();
  chip->transfer(frame.data(), miso.data(), frame.size());
  Bytes polls(8, 0xCC), part(8);
  chip->transfer(polls.data(), part.data(), polls.size());
  CHECK(part[0] == wire::kResponseSync);
  chip->deselect();
  // A new window starts a new command: polls there are a (bad) frame header,
  // answered with FrameError, never with the rest of the old response.
  chip->select();
  chip->transfer(polls.data(), part.data(), polls.size());
  CHECK(std::all_of(part.begin(), part.begin() + 5, [](uint8_t b) { return b == wire::kIdleByte; }));
  CHECK(Bytes(part.begin() + 5, part.end()) == Bytes({0x55, 0x10, 0x02}));
  chip->deselect();
  // The next window works normally.
  auto r = sim::testing::exchange(*chip, wire::Command::Ping, Bytes{5});
  CHECK(r.payload == Bytes{5});
}

TEST_CASE("unknown and unmodelled commands are refused", "[chip]") {
  TempChip t;
  auto chip = sim::Chip::open(t.state);
  CHECK(sim::testing::exchange(*chip, wire::Command::Cipher, Bytes{1}).status ==
        static_cast<uint16_t>(wire::Status::UnknownCommand));
  CHECK(sim::testing::exchange(*chip, static_cast<wire::Command>(0x42), {}).status ==
        static_cast<uint16_t>(wire::Status::UnknownCommand));
  // Wrong payload lengths on every command with a fixed layout.
  for (auto cmd : {wire::Command::GetStatus, wire::Command::GetChallenge, wire::Command::CreateObject,
                   wire::Command::DeleteObject, wire::Command::ReadObject, wire::Command::ListObjects,
                   wire::Command::SetLifecycle, wire::Command::GetRandom, wire::Command::SignVerify,
                   wire::Command::KeyExchange, wire::Command::AdminAuthenticate}) {
    INFO(wire::command_name(static_cast<uint8_t>(cmd)));
    CHECK(sim::testing::exchange(*chip, cmd, Bytes(3, 0x01)).status ==
          static_cast<uint16_t>(wire::Status::WrongLength));
  }
  // Unsupported curve on import key.
  Bytes import = {0x01, 0x01, 0x09, 0x00};
  CHECK(sim::testing::exchange(*chip, wire::Command::ImportKey, import).status ==
        static_cast<uint16_t>(wire::Status::CurveNotSupported));
}
