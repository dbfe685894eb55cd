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

namespace {

// Sets (or unsets, with nullptr) an environment variable for a scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("default state path follows XDG_STATE_HOME, then HOME, then the account", "[spec]") {
  {
    ScopedEnv xdg("XDG_STATE_HOME", "/tmp/xdg-test");
    CHECK(default_sim_state_path() == "/tmp/xdg-test/maxq1061/sim.state");
  }
  ScopedEnv home("HOME", "/home/u");
  {
    ScopedEnv xdg("XDG_STATE_HOME", nullptr);
    CHECK(default_sim_state_path() == "/home/u/.local/state/maxq1061/sim.state");
  }
  {
    ScopedEnv xdg("XDG_STATE_HOME", "relative/dir");  // ignored, as the XDG spec says
    CHECK(default_sim_state_path() == "/home/u/.local/state/maxq1061/sim.state");
  }
  ScopedEnv xdg("XDG_STATE_HOME", nullptr);
  ScopedEnv no_home("HOME", nullptr);
  std::string path = default_sim_state_path();
  CHECK(path.front() == '/');  // from the password database
  CHECK_THAT(path, Catch::EndsWith("/.local/state/maxq1061/sim.state"));
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

TEST_CASE("a provisioned sim: device opens and answers", "[spec]") {
  TempChip t;
  auto link = open_link(DeviceSpec::parse("sim:" + t.state));
  CHECK(link->describe() == "sim:" + t.state);
  CHECK(link->lock_path().empty());  // the chip locks its state file itself
  Device dev(std::move(link));
  CHECK(dev.ping(maxq::Bytes{1, 2}) == maxq::Bytes{1, 2});
}
