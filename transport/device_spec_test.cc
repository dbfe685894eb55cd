// Device strings through a LinkRegistry: the built-in links (ftdi:, broker:)
// and the registry's own rules. The simulated links' options are tested in
// simulated_links/sim_link_options_test.cc.
#include "transport/device_spec.h"

#include <catch2/catch.hpp>

#include "broker/broker_protocol.h"
#include "transport/errors.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/link_registry.h"

using namespace maxq::transport;

TEST_CASE("device strings", "[spec]") {
  LinkRegistry links = builtin_links();
  DeviceSpec s = links.parse("broker:/run/maxq.sock");
  CHECK(s.scheme == "broker");
  CHECK(s.target == "/run/maxq.sock");
  CHECK(s.simulated_note.empty());
  CHECK(links.parse("broker:").target == maxq::broker::kDefaultSocketPath);
  CHECK(links.parse("broker:/run/a,b.sock").target ==
        "/run/a,b.sock");  // no options: commas are path
  s = links.parse("ftdi:i:0x0403:0x6014,spi-clock-hz=10000000,ftdi-interface=B,cs-pin=4");
  CHECK(s.scheme == "ftdi");
  CHECK(s.target == "i:0x0403:0x6014");
  FtdiBusConfig c = FtdiBusConfig::from_spec(s);
  CHECK(c.spi_clock_hz == 10000000);
  CHECK(c.interface == 'B');
  CHECK(c.cs_pin == 4);
  CHECK(FtdiBusConfig::from_spec(links.parse("ftdi:s:0x0403:0x6014:FT1234")).spi_clock_hz ==
        1000000);
  for (const char* bad :
       {"", "ftdi", "ftdi:", "tpm:/dev/x", "ftdi:i:0x0403:0x6014,speed=1",
        "ftdi:i:0x0403:0x6014,ftdi-interface=E", "ftdi:i:0x0403:0x6014,cs-pin=1"}) {
    INFO(bad);
    CHECK_THROWS_WITH(links.parse(bad),
                      Catch::Contains("ftdi:DESC") && Catch::Contains("broker:PATH"));
  }
}

TEST_CASE("opening a missing bridge is a LinkError", "[spec]") {
  CHECK_THROWS_AS(builtin_links().open("ftdi:i:0x0403:0x6014"), LinkError);
}

TEST_CASE("ftdi options are range-checked and round-trip through to_string", "[spec]") {
  LinkRegistry links = builtin_links();
  for (const char* bad :
       {"ftdi:i:0x0403:0x6014,spi-clock-hz=0", "ftdi:i:0x0403:0x6014,spi-clock-hz=-1",
        "ftdi:i:0x0403:0x6014,spi-clock-hz= 5", "ftdi:i:0x0403:0x6014,spi-clock-hz=1e6",
        "ftdi:i:0x0403:0x6014,spi-clock-hz=40000000", "ftdi:i:0x0403:0x6014,cs-pin",
        "ftdi:i:0x0403:0x6014,", "ftdi:,cs-pin=4", "ftdi:i:0x0403:0x6014,latency=modelled",
        "ftdi:i:0x0403:0x6014,sign-ms=10"}) {
    INFO(bad);
    CHECK_THROWS_AS(links.parse(bad), ConfigError);
  }
  CHECK(
      FtdiBusConfig::from_spec(links.parse("ftdi:d:001/004,spi-clock-hz=0x1E8480")).spi_clock_hz ==
      2000000);
  for (const char* good :
       {"broker:/run/x.sock", "ftdi:i:0x0403:0x6014",
        "ftdi:s:0x0403:0x6014:FT1,spi-clock-hz=5000000,ftdi-interface=B,cs-pin=5"}) {
    INFO(good);
    CHECK(links.parse(good).to_string() == good);
  }
}

TEST_CASE("a registry knows only the links its owner put in it", "[spec][registry]") {
  LinkRegistry links = builtin_links();
  // The simulated chips are plug-ins: without them, sim: is an unknown link type.
  CHECK_THROWS_WITH(links.parse("sim:/tmp/chip.state"), Catch::Contains("unknown link type 'sim'"));
  // A refused scheme says why, and the longest matching name wins (ftdi:x: over ftdi:).
  LinkScheme refused;
  refused.name = "ftdi:x";
  refused.refusal = "not in this build; use ftdi:DESC";
  links.add(refused);
  CHECK_THROWS_WITH(links.parse("ftdi:x:/tmp/chip.state"),
                    Catch::Contains("device 'ftdi:x:/tmp/chip.state': not in this build"));
  CHECK(links.parse("ftdi:i:0x0403:0x6014").scheme == "ftdi");
  CHECK_THROWS_AS(links.open(DeviceSpec{"ftdi:x", "/tmp/c", {}, "ftdi:x:/tmp/c", ""}), ConfigError);
  // A plug-in of the caller's own: its options, canonical form and note.
  LinkScheme own;
  own.name = "own";
  own.usage = "own:PATH (a test link)";
  own.simulated_note = [](const DeviceSpec& s) { return "keys in " + s.target; };
  own.canonical = [](const DeviceSpec& s) {
    if (s.option("mode") && *s.option("mode") != "a") throw ConfigError("mode must be a");
    return "own:" + s.target;
  };
  links.add(own);
  DeviceSpec s = links.parse("own:/p,mode=a");
  CHECK(s.to_string() == "own:/p");
  CHECK(s.simulated_note == "keys in /p");
  CHECK_THROWS_WITH(links.parse("own:/p,mode=b"),
                    Catch::Contains("mode must be a") && Catch::Contains("own:PATH (a test link)"));
}
