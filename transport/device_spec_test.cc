#include "transport/device_spec.h"

#include <catch2/catch.hpp>

#include "test/support/temp_chip.h"
#include "transport/errors.h"

using namespace maxq::transport;

TEST_CASE("device strings", "[spec]") {
  DeviceSpec s = DeviceSpec::parse("sim:/var/lib/chip.state");
  CHECK(s.kind == DeviceSpec::Kind::Sim);
  CHECK(s.target == "/var/lib/chip.state");
  s = DeviceSpec::parse("unix:/run/maxq.sock");
  CHECK(s.kind == DeviceSpec::Kind::Unix);
  s = DeviceSpec::parse("ftdi:i:0x0403:0x6014,spi-clock-hz=10000000,ftdi-interface=B,cs-pin=4");
  CHECK(s.kind == DeviceSpec::Kind::Ftdi);
  CHECK(s.target == "i:0x0403:0x6014");
  CHECK(s.spi_clock_hz == 10000000);
  CHECK(s.ftdi_interface == "B");
  CHECK(s.cs_pin == 4);
  CHECK(DeviceSpec::parse("ftdi:s:0x0403:0x6014:FT1234").spi_clock_hz == 1000000);
  for (const char* bad : {"", "sim", "sim:", "tpm:/dev/x", "ftdi:i:0x0403:0x6014,speed=1",
                          "ftdi:i:0x0403:0x6014,ftdi-interface=E", "ftdi:i:0x0403:0x6014,cs-pin=1"}) {
    INFO(bad);
    CHECK_THROWS_WITH(DeviceSpec::parse(bad), Catch::Contains("sim:PATH"));
  }
}

TEST_CASE("opening a missing or corrupt chip says what to do", "[spec]") {
  maxq::testing::TempDir dir;
  CHECK_THROWS_WITH(open_link(DeviceSpec::parse("sim:" + dir.file("none.state"))),
                    Catch::Contains("none.state") && Catch::Contains("maxq1061-tool init"));
  CHECK_THROWS_AS(open_link(DeviceSpec::parse("ftdi:i:0x0403:0x6014")), LinkError);
}

TEST_CASE("default state path follows XDG_STATE_HOME", "[spec]") {
  setenv("XDG_STATE_HOME", "/tmp/xdg-test", 1);
  CHECK(default_sim_state_path() == "/tmp/xdg-test/maxq1061/sim.state");
  unsetenv("XDG_STATE_HOME");
  setenv("HOME", "/home/u", 1);
  CHECK(default_sim_state_path() == "/home/u/.local/state/maxq1061/sim.state");
}
