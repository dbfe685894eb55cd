// The MODELLED latency table and bus time arithmetic.
#include "simulator/latency_model.h"

#include <catch2/catch.hpp>

using namespace maxq;
using namespace std::chrono_literals;
using wire::Command;

namespace {
uint8_t code(Command c) {
  return static_cast<uint8_t>(c);
}
}  // namespace

TEST_CASE("latency model: per-command chip times for P-256", "[latency]") {
  CHECK(sim::command_time_ms(code(Command::SignVerify)) == 20.0);
  CHECK(sim::command_time_ms(code(Command::ImportKey)) == 22.0);
  CHECK(sim::command_time_ms(code(Command::KeyExchange)) == 20.0);
  CHECK(sim::command_time_ms(code(Command::AdminAuthenticate)) == 25.0);
  CHECK(sim::command_time_ms(code(Command::GetRandom)) == 0.5);
  CHECK(sim::command_time_ms(code(Command::CreateObject)) == 5.0);
  CHECK(sim::command_time_ms(code(Command::DeleteObject)) == 5.0);
  CHECK(sim::command_time_ms(code(Command::WriteObject)) == 5.0);
  CHECK(sim::command_time_ms(code(Command::Ping)) == 0.3);
  CHECK(sim::command_time_ms(code(Command::ReadObject)) == 0.3);
  CHECK(sim::command_time_ms(0x42) == 0.3);  // unknown codes too
  CHECK(sim::command_time(code(Command::SignVerify)) == 20ms);
  CHECK(sim::command_time(code(Command::Ping)) == 300us);
}

TEST_CASE("latency model: EC operations scale with the cube of the field size", "[latency]") {
  CHECK(sim::command_time(code(Command::SignVerify), size_t{48}) == 67500us);
  CHECK(sim::command_time(code(Command::ImportKey), size_t{48}) == 74250us);
  CHECK(sim::command_time(code(Command::KeyExchange), size_t{48}) == 67500us);
  CHECK(sim::command_time(code(Command::AdminAuthenticate), size_t{64}) == 200ms);
  // Not EC work: the same on every curve.
  CHECK(sim::command_time(code(Command::GetRandom), size_t{48}) == 500us);
  CHECK(sim::command_time(code(Command::WriteObject), size_t{66}) == 5ms);
  // By curve; unknown (a command refused before its key was found) is P-256.
  CHECK(sim::command_time(code(Command::SignVerify), wire::Curve::P384) == 67500us);
  CHECK(sim::command_time(code(Command::SignVerify), wire::Curve::P256) == 20ms);
  CHECK(sim::command_time(code(Command::SignVerify), std::nullopt) == 20ms);
  CHECK(sim::is_ec_operation(code(Command::KeyExchange)));
  CHECK_FALSE(sim::is_ec_operation(code(Command::GetRandom)));
}

TEST_CASE("latency model: bus time is 8 clocks per byte", "[latency]") {
  CHECK(sim::bus_time(1000, 1000000) == 8ms);
  CHECK(sim::bus_time(1, 1000000) == 8us);
  CHECK(sim::bus_time(3, 24000000) == 1us);
  CHECK(sim::bus_time(0, 1000000) == 0ns);
  CHECK(sim::bus_time_ms(250, 2000000) == Approx(1.0));
  CHECK(sim::bus_time_ms(407, 1000000) == Approx(3.256));
}

TEST_CASE("latency model: the longest command bounds how long a host must poll", "[latency]") {
  // Admin authenticate on the largest field (P-521, 66 bytes).
  CHECK(sim::longest_command_time() ==
        sim::command_time(code(Command::AdminAuthenticate), size_t{66}));
  CHECK(sim::longest_command_time() > 200ms);
}
