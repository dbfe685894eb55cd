// The simulated links as plug-ins of a LinkRegistry: sim: and its latency
// options, unix:, ftdi:model:, opening them, and the counters and provisioning
// the tool reaches through this library.
#include "simulated_links/sim_link_options.h"

#include <catch2/catch.hpp>
#include <cstdio>

#include "simulated_links/simulated_links.h"
#include "test/support/temp_chip.h"
#include "transport/errors.h"

using namespace maxq::transport;
using maxq::simulated_links::all_links;
using maxq::simulated_links::SimLinkOptions;
using maxq::testing::TempChip;

namespace {
SimLinkOptions options_of(const std::string& device) {
  return SimLinkOptions::from_spec(all_links().parse(device));
}
}  // namespace

TEST_CASE("simulated device strings", "[spec]") {
  LinkRegistry links = all_links();
  DeviceSpec s = links.parse("sim:/var/lib/chip.state");
  CHECK(s.scheme == "sim");
  CHECK(s.target == "/var/lib/chip.state");
  CHECK(s.simulated_note ==
        "SIMULATED chip: its private keys are in the state file /var/lib/chip.state, not in a "
        "secure element");
  s = links.parse("unix:/run/maxq,1.sock");
  CHECK(s.scheme == "unix");
  CHECK(s.target == "/run/maxq,1.sock");
  CHECK_FALSE(s.simulated_note.empty());
  s = links.parse("ftdi:model:/tmp/c.state,spi-clock-hz=2000000,cs-pin=4");
  CHECK(s.scheme == "ftdi:model");
  CHECK(s.target == "/tmp/c.state");
  CHECK(s.to_string() == "ftdi:model:/tmp/c.state,spi-clock-hz=2000000,cs-pin=4");
  CHECK_FALSE(s.simulated_note.empty());
  CHECK(links.parse("ftdi:i:0x0403:0x6014").simulated_note.empty());
  for (const char* bad : {"", "sim", "sim:", "unix:", "tpm:/dev/x",
                          "ftdi:model:", "ftdi:model:/c,latency=modelled"}) {
    INFO(bad);
    CHECK_THROWS_WITH(links.parse(bad), Catch::Contains("sim:PATH") &&
                                            Catch::Contains("unix:PATH") &&
                                            Catch::Contains("ftdi:DESC"));
  }
  for (const char* good : {"sim:/a b/c.state", "unix:/run/x.sock"}) {
    INFO(good);
    CHECK(links.parse(good).to_string() == good);
  }
}

TEST_CASE("opening a missing or corrupt chip says what to do", "[spec]") {
  maxq::testing::TempDir dir;
  CHECK_THROWS_WITH(all_links().open("sim:" + dir.file("none.state")),
                    Catch::Contains("none.state") && Catch::Contains("maxq1061-tool init"));
  CHECK_THROWS_AS(all_links().open("ftdi:model:" + dir.file("none.state")), ConfigError);
}

TEST_CASE("sim options: latency model and its bus clock", "[spec][latency]") {
  CHECK_FALSE(options_of("sim:/var/lib/chip.state").modelled);
  DeviceSpec s = all_links().parse("sim:/var/lib/chip.state,latency=modelled");
  CHECK(s.target == "/var/lib/chip.state");
  CHECK(SimLinkOptions::from_spec(s).modelled);
  CHECK(SimLinkOptions::from_spec(s).spi_clock_hz == 1000000);
  SimLinkOptions o =
      options_of("sim:/c.state,spi-clock-hz=0x1E8480,latency=modelled");  // any order
  CHECK(o.spi_clock_hz == 2000000);
  CHECK(o.modelled);
  CHECK_FALSE(options_of("sim:/c.state,latency=off").modelled);
  for (const char* good :
       {"sim:/c.state,latency=modelled", "sim:/c.state,latency=modelled,spi-clock-hz=4000000"}) {
    INFO(good);
    CHECK(all_links().parse(good).to_string() == good);
  }
  CHECK(all_links().parse("sim:/c.state,latency=off").to_string() == "sim:/c.state");
  for (const char* bad :
       {"sim:/c.state,latency=fast",
        "sim:/c.state,latency=", "sim:/c.state,latency=modelled,spi-clock-hz=0",
        "sim:/c.state,latency=modelled,spi-clock-hz=30000001", "sim:/c.state,spi-clock-hz=2000000",
        "sim:/c.state,latency=off,spi-clock-hz=2000000", "sim:/c.state,cs-pin=4",
        "sim:/c.state,ftdi-interface=A", "sim:,latency=modelled", "sim:/c.state,",
        "ftdi:i:0x0403:0x6014,latency=modelled"}) {
    INFO(bad);
    CHECK_THROWS_WITH(all_links().parse(bad), Catch::Contains("sim:PATH[,latency=off|modelled]"));
  }
  // A comma in a path reads as an option: the error says why.
  CHECK_THROWS_WITH(all_links().parse("sim:/tmp/a,b/chip.state"),
                    Catch::Contains("cannot contain ','"));
  CHECK_THROWS_WITH(all_links().parse("sim:/tmp/a,b=c/chip.state"),
                    Catch::Contains("unknown option 'b'") && Catch::Contains("cannot contain ','"));
  CHECK_THROWS_AS(all_links().parse("sim:/tmp/a,b/chip.state"), ConfigError);
}

TEST_CASE("sim options: chip times per command class", "[spec][latency]") {
  DeviceSpec s = all_links().parse("sim:/c.state,latency=modelled,sign-ms=12.5,ecdh-ms=18");
  SimLinkOptions o = SimLinkOptions::from_spec(s);
  CHECK(o.chip_times.sign == 12.5);
  CHECK(o.chip_times.ecdh == 18.0);
  CHECK(o.chip_times.keygen == 22.0);
  CHECK(s.to_string() == "sim:/c.state,latency=modelled,sign-ms=12.5,ecdh-ms=18");
  CHECK(all_links().parse(s.to_string()).to_string() == s.to_string());
  // Before latency=modelled is fine (any order); without it they would do nothing.
  CHECK(options_of("sim:/c.state,keygen-ms=0,latency=modelled").chip_times.keygen == 0.0);
  CHECK_THROWS_WITH(
      all_links().parse("sim:/c.state,sign-ms=10"),
      Catch::Contains("chip times (sign-ms=10) on a sim device need latency=modelled"));
  CHECK_THROWS_WITH(all_links().parse("sim:/c.state,sign-ms=20"),  // the default, still refused
                    Catch::Contains("chip times (sign-ms=20)"));
  CHECK_THROWS_WITH(all_links().parse("sim:/c.state,latency=modelled,sgn-ms=10"),
                    Catch::Contains("unknown chip time 'sgn'"));
  CHECK_THROWS_WITH(all_links().parse("sim:/c.state,latency=modelled,sign-ms=500"),
                    Catch::Contains("from 0 to 100"));
  CHECK_THROWS_AS(all_links().parse("ftdi:i:0x0403:0x6014,sign-ms=10"), ConfigError);
}

TEST_CASE("a sim: device with the latency model answers, at any clock", "[spec][latency]") {
  TempChip t;
  // 30 MHz: a signature is 75000 polls, more than the default poll budget.
  auto link = all_links().open("sim:" + t.state + ",latency=modelled,spi-clock-hz=30000000");
  Device dev(std::move(link));
  CHECK(dev.ping(maxq::Bytes{1, 2}) == maxq::Bytes{1, 2});
  dev.create_object(ObjectSpec::temporary_key_pair(0x0201, maxq::wire::Curve::P256));
  dev.generate_key(0x0201, maxq::wire::Curve::P256, t.key_import());  // 22 ms: 82500 polls
  CHECK(dev.sign(0x0201, maxq::Bytes(32, 7)).size() == 64);
}

TEST_CASE("a provisioned sim: device opens and answers", "[spec]") {
  TempChip t;
  auto link = all_links().open("sim:" + t.state);
  CHECK(link->describe() == "sim:" + t.state);
  CHECK(link->lock_path().empty());  // the chip locks its state file itself
  Device dev(std::move(link));
  CHECK(dev.ping(maxq::Bytes{1, 2}) == maxq::Bytes{1, 2});
}

TEST_CASE("a state file removed under an open sim: link is a LinkError, not a simulator type",
          "[spec]") {
  TempChip t;
  Device dev(all_links().open("sim:" + t.state));
  CHECK(dev.ping(maxq::Bytes{1}) == maxq::Bytes{1});
  REQUIRE(std::remove(t.state.c_str()) == 0);  // another process took the file away
  try {
    dev.ping(maxq::Bytes{1});
    FAIL("a missing state file went unnoticed");
  } catch (const LinkError& e) {
    CHECK_THAT(e.what(), Catch::Contains(t.state) && Catch::Contains("has disappeared"));
  }
}

TEST_CASE("counters and provisioning through the simulated links", "[spec]") {
  TempChip t;
  DeviceSpec spec = all_links().parse("sim:" + t.state);
  auto before = maxq::simulated_links::read_counters(spec);
  REQUIRE(before);
  Device dev(all_links().open(spec));
  dev.ping(maxq::Bytes{1});
  auto after = maxq::simulated_links::read_counters(spec);
  REQUIRE(after);
  CHECK((*after - *before).count(static_cast<uint8_t>(maxq::wire::Command::Ping)) == 1);
  CHECK_FALSE(maxq::simulated_links::read_counters(all_links().parse("unix:/run/x.sock")));
  CHECK_FALSE(maxq::simulated_links::read_counters(all_links().parse("ftdi:i:0x0403:0x6014")));
  // An existing chip is never overwritten: a ConfigError, not a simulator type.
  CHECK_THROWS_AS(maxq::simulated_links::provision(spec, t.admin_key + ".new", ""), ConfigError);
  maxq::testing::TempDir dir;
  auto made = maxq::simulated_links::provision(all_links().parse("sim:" + dir.file("c.state")),
                                               dir.file("a.pem"), dir.file("k.pem"));
  CHECK(made.serial_hex.size() == 2 * maxq::wire::kSerialBytes);
  CHECK(made.admin_key_path == dir.file("a.pem"));
}
