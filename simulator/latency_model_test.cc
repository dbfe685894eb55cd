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
  CHECK(sim::command_time_ms(code(Command::GetChallenge)) == 0.5);
  CHECK(sim::command_time_ms(code(Command::ImportRootCert)) == 22.0);
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

TEST_CASE("latency model: chip times measured on a board replace the MODELLED ones", "[latency]") {
  sim::ChipTimes t = sim::parse_chip_times("sign=12.5,ecdh=18,other=0");
  CHECK(sim::command_time_ms(code(Command::SignVerify), 32, t) == 12.5);
  CHECK(sim::command_time_ms(code(Command::KeyExchange), 32, t) == 18.0);
  CHECK(sim::command_time_ms(code(Command::Ping), 32, t) == 0.0);
  CHECK(sim::command_time_ms(code(Command::ImportKey), 32, t) == 22.0);              // default kept
  CHECK(sim::command_time(code(Command::SignVerify), size_t{48}, t) == 42187500ns);  // x3.375
  CHECK(sim::format_chip_times(t) == "sign=12.5,ecdh=18,other=0");
  CHECK(sim::format_chip_times(t, "-ms") == "sign-ms=12.5,ecdh-ms=18,other-ms=0");
  CHECK(sim::format_chip_times(sim::ChipTimes{}).empty());
  CHECK(sim::format_chip_times(sim::parse_chip_times("sign=20")).empty());  // the default
  // Formatted times parse back to the same times.
  sim::ChipTimes back = sim::parse_chip_times(sim::format_chip_times(t));
  CHECK(sim::changed_chip_times(back) == sim::changed_chip_times(t));
  // Fixed point, up to microseconds, the same in every locale.
  CHECK(sim::parse_chip_times("sign=0.125").sign == 0.125);
  CHECK(sim::parse_chip_times("sign=100.000").sign == 100.0);
  CHECK(sim::format_chip_times(sim::parse_chip_times("sign=0.125,ecdh=7.05")) ==
        "sign=0.125,ecdh=7.05");
  // The host's poll budget still outlasts the slowest command.
  CHECK(sim::longest_command_time(sim::parse_chip_times("auth=100")) < 1s);
}

TEST_CASE("latency model: bad chip times are refused, saying why", "[latency]") {
  using Catch::Contains;
  CHECK_THROWS_WITH(sim::parse_chip_times("sgn=5"),
                    Contains("unknown chip time 'sgn'") && Contains("sign, keygen, ecdh"));
  CHECK_THROWS_WITH(sim::parse_chip_times("sign"), Contains("'sign' is not name=milliseconds"));
  for (const char* bad :
       {"sign=", "sign=-1", "sign=-0", "sign=101", "sign=5ms", "sign= 5", "sign=nan", "sign=inf",
        "sign=100.001", "sign=1.2345", "sign=.5", "sign=5.", "sign=1.2.3", "sign=99999999999"})
    CHECK_THROWS_WITH(sim::parse_chip_times(bad), Contains("from 0 to 100"));
  CHECK_THROWS_WITH(sim::parse_chip_times(""), Contains("no chip times given"));
  for (const char* bad : {"sign=15,", ",sign=15", "sign=15,,ecdh=2"})
    CHECK_THROWS_WITH(sim::parse_chip_times(bad), Contains("empty chip time"));
  sim::ChipTimes t;
  CHECK_THROWS(sim::set_chip_time(t, "ecdh", "1e9"));
  CHECK(t.ecdh == 20.0);  // untouched
}
