#include "transport/device_spec.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <optional>

#include "test/support/temp_chip.h"
#include "transport/errors.h"

using namespace maxq::transport;
using maxq::testing::TempChip;

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
  for (const char* bad :
       {"", "sim", "sim:", "tpm:/dev/x", "ftdi:i:0x0403:0x6014,speed=1",
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

TEST_CASE("ftdi options are range-checked and round-trip through to_string", "[spec]") {
  for (const char* bad :
       {"ftdi:i:0x0403:0x6014,spi-clock-hz=0", "ftdi:i:0x0403:0x6014,spi-clock-hz=-1",
        "ftdi:i:0x0403:0x6014,spi-clock-hz= 5", "ftdi:i:0x0403:0x6014,spi-clock-hz=1e6",
        "ftdi:i:0x0403:0x6014,spi-clock-hz=40000000", "ftdi:i:0x0403:0x6014,cs-pin",
        "ftdi:i:0x0403:0x6014,", "ftdi:,cs-pin=4", "unix:"}) {
    INFO(bad);
    CHECK_THROWS_AS(DeviceSpec::parse(bad), ConfigError);
  }
  CHECK(DeviceSpec::parse("ftdi:d:001/004,spi-clock-hz=0x1E8480").spi_clock_hz == 2000000);
  for (const char* good :
       {"sim:/a b/c.state", "unix:/run/x.sock", "ftdi:i:0x0403:0x6014",
        "ftdi:s:0x0403:0x6014:FT1,spi-clock-hz=5000000,ftdi-interface=B,cs-pin=5"}) {
    INFO(good);
    CHECK(DeviceSpec::parse(good).to_string() == good);
  }
}

TEST_CASE("sim options: latency model and its bus clock", "[spec][latency]") {
  DeviceSpec s = DeviceSpec::parse("sim:/var/lib/chip.state");
  CHECK(s.latency == DeviceSpec::Latency::Off);
  s = DeviceSpec::parse("sim:/var/lib/chip.state,latency=modelled");
  CHECK(s.target == "/var/lib/chip.state");
  CHECK(s.latency == DeviceSpec::Latency::Modelled);
  CHECK(s.spi_clock_hz == 1000000);
  s = DeviceSpec::parse("sim:/c.state,spi-clock-hz=0x1E8480,latency=modelled");  // any order
  CHECK(s.spi_clock_hz == 2000000);
  CHECK(s.latency == DeviceSpec::Latency::Modelled);
  CHECK(DeviceSpec::parse("sim:/c.state,latency=off").latency == DeviceSpec::Latency::Off);
  for (const char* good :
       {"sim:/c.state,latency=modelled", "sim:/c.state,latency=modelled,spi-clock-hz=4000000"}) {
    INFO(good);
    CHECK(DeviceSpec::parse(good).to_string() == good);
  }
  CHECK(DeviceSpec::parse("sim:/c.state,latency=off").to_string() == "sim:/c.state");
  for (const char* bad :
       {"sim:/c.state,latency=fast",
        "sim:/c.state,latency=", "sim:/c.state,latency=modelled,spi-clock-hz=0",
        "sim:/c.state,latency=modelled,spi-clock-hz=30000001", "sim:/c.state,spi-clock-hz=2000000",
        "sim:/c.state,latency=off,spi-clock-hz=2000000", "sim:/c.state,cs-pin=4",
        "sim:/c.state,ftdi-interface=A", "sim:,latency=modelled", "sim:/c.state,",
        "ftdi:i:0x0403:0x6014,latency=modelled"}) {
    INFO(bad);
    CHECK_THROWS_WITH(DeviceSpec::parse(bad), Catch::Contains("sim:PATH[,latency=off|modelled]"));
  }
  // A comma in a path reads as an option: the error says why.
  CHECK_THROWS_WITH(DeviceSpec::parse("sim:/tmp/a,b/chip.state"),
                    Catch::Contains("cannot contain ','"));
  CHECK_THROWS_WITH(DeviceSpec::parse("sim:/tmp/a,b=c/chip.state"),
                    Catch::Contains("unknown option 'b'") && Catch::Contains("cannot contain ','"));
  CHECK_THROWS_AS(DeviceSpec::parse("sim:/tmp/a,b/chip.state"), ConfigError);
}

TEST_CASE("sim options: chip times per command class", "[spec][latency]") {
  DeviceSpec s = DeviceSpec::parse("sim:/c.state,latency=modelled,sign-ms=12.5,ecdh-ms=18");
  CHECK(s.chip_times.sign == 12.5);
  CHECK(s.chip_times.ecdh == 18.0);
  CHECK(s.chip_times.keygen == 22.0);
  CHECK(s.to_string() == "sim:/c.state,latency=modelled,sign-ms=12.5,ecdh-ms=18");
  CHECK(DeviceSpec::parse(s.to_string()).to_string() == s.to_string());
  // Before latency=modelled is fine (any order); without it they would do nothing.
  CHECK(DeviceSpec::parse("sim:/c.state,keygen-ms=0,latency=modelled").chip_times.keygen == 0.0);
  CHECK_THROWS_WITH(
      DeviceSpec::parse("sim:/c.state,sign-ms=10"),
      Catch::Contains("chip times (sign-ms=10) on a sim device need latency=modelled"));
  CHECK_THROWS_WITH(DeviceSpec::parse("sim:/c.state,sign-ms=20"),  // the default, still refused
                    Catch::Contains("chip times (sign-ms=20)"));
  CHECK_THROWS_WITH(DeviceSpec::parse("sim:/c.state,latency=modelled,sgn-ms=10"),
                    Catch::Contains("unknown chip time 'sgn'"));
  CHECK_THROWS_WITH(DeviceSpec::parse("sim:/c.state,latency=modelled,sign-ms=500"),
                    Catch::Contains("from 0 to 100"));
  CHECK_THROWS_AS(DeviceSpec::parse("ftdi:i:0x0403:0x6014,sign-ms=10"), ConfigError);
}

TEST_CASE("a sim: device with the latency model answers, at any clock", "[spec][latency]") {
  TempChip t;
  // 30 MHz: a signature is 75000 polls, more than the default poll budget.
  auto link =
      open_link(DeviceSpec::parse("sim:" + t.state + ",latency=modelled,spi-clock-hz=30000000"));
  Device dev(std::move(link));
  CHECK(dev.ping(maxq::Bytes{1, 2}) == maxq::Bytes{1, 2});
  dev.create_object(ObjectSpec::temporary_key_pair(0x0201, maxq::wire::Curve::P256));
  dev.generate_key(0x0201, maxq::wire::Curve::P256, t.key_import());  // 22 ms: 82500 polls
  CHECK(dev.sign(0x0201, maxq::Bytes(32, 7)).size() == 64);
}

TEST_CASE("a provisioned sim: device opens and answers", "[spec]") {
  TempChip t;
  auto link = open_link(DeviceSpec::parse("sim:" + t.state));
  CHECK(link->describe() == "sim:" + t.state);
  CHECK(link->lock_path().empty());  // the chip locks its state file itself
  Device dev(std::move(link));
  CHECK(dev.ping(maxq::Bytes{1, 2}) == maxq::Bytes{1, 2});
}
