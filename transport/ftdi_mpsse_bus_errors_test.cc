// The FTDI link when things go wrong: libftdi's failures through the seam,
// unplugging, a stalled bridge, a silent chip, miswiring.
#include <algorithm>
#include <catch2/catch.hpp>

#include "simulated_links/simulated_links.h"
#include "transport/device_spec.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/ftdi_test_rig.h"

using namespace maxq;
using namespace maxq::transport::testing;
using transport::ConfigError;
using transport::FtdiMpsseBus;
using transport::LinkError;
using transport::ModelFtdiUsb;
using transport::SpiOp;

TEST_CASE("libftdi open failures become clear errors", "[ftdi][errors]") {
  Rig r;
  auto usb = r.make_usb();
  auto expect = [&](int code, const std::string& libftdi_text, LinkError::Kind kind,
                    const std::string& hint) {
    r.model_usb().fail_open(code, libftdi_text);
    try {
      FtdiMpsseBus bus(std::move(usb), r.config());
      FAIL("opened");
    } catch (const LinkError& e) {
      CHECK(e.kind() == kind);
      std::string m = e.what();
      CHECK(m.find("ftdi:i:0x0403:0x6014") != std::string::npos);
      CHECK(m.find(libftdi_text) != std::string::npos);
      CHECK(m.find(hint) != std::string::npos);
    }
  };
  SECTION("no device") {
    expect(-3, "device not found", LinkError::Kind::NotFound, "check the USB cable");
  }
  SECTION("libusb_open refused") {
    expect(-4, "usb_open() failed", LinkError::Kind::Permission, "docs/hardware.md");
  }
  SECTION("permissions") {
    expect(-8, "inappropriate permissions on device!", LinkError::Kind::Permission, "udev rule");
  }
  SECTION("claimed by someone else") {
    expect(-5, "unable to claim usb device", LinkError::Kind::Io, "another program");
  }
  SECTION("a bad description") {
    r.model_usb().fail_open(-11, "illegal description format");
    CHECK_THROWS_AS(FtdiMpsseBus(std::move(usb), r.config()), ConfigError);
  }
}

TEST_CASE("a bridge that does not speak MPSSE is refused at open", "[ftdi][errors]") {
  Rig r;
  auto usb = r.make_usb();
  r.model_usb().stall_reads(true);
  try {
    FtdiMpsseBus bus(std::move(usb), r.config());
    FAIL("opened");
  } catch (const LinkError& e) {
    CHECK(e.kind() == LinkError::Kind::Io);
    CHECK(std::string(e.what()).find("MPSSE-capable") != std::string::npos);
  }
}

TEST_CASE("unplugged mid-command: Disconnected, and the next command reopens", "[ftdi][errors]") {
  Rig r;
  auto dev = r.device();
  REQUIRE(dev->ping(kPingData) == kPingData);
  r.model_usb().unplug_after_writes(1);  // the command goes out, its answer never comes
  try {
    dev->ping(kPingData);
    FAIL("no error");
  } catch (const LinkError& e) {
    CHECK(e.kind() == LinkError::Kind::Disconnected);
    std::string m = e.what();
    CHECK(m.find("unplugged") != std::string::npos);
    CHECK(m.find("usb bulk read failed") != std::string::npos);
  }
  // Still unplugged: the reopen says so.
  try {
    dev->ping(kPingData);
    FAIL("no error");
  } catch (const LinkError& e) {
    CHECK(e.kind() == LinkError::Kind::NotFound);
  }
  r.model_usb().replug();
  CHECK(dev->ping(kPingData) == kPingData);
  CHECK(std::count(r.calls().begin(), r.calls().end(), "bitmode 0 2") == 2);
}

TEST_CASE("a bridge that stops delivering times out", "[ftdi][errors]") {
  Rig r;
  auto dev = r.device();
  r.model_usb().stall_reads(true);
  auto t0 = std::chrono::steady_clock::now();
  try {
    dev->ping(kPingData);
    FAIL("no error");
  } catch (const LinkError& e) {
    CHECK(e.kind() == LinkError::Kind::Timeout);
    CHECK(std::string(e.what()).find("0 of 30 bytes") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  r.model_usb().stall_reads(false);
  CHECK(dev->ping(kPingData) == kPingData);
}

TEST_CASE("a chip that never answers times out after the poll budget", "[ftdi][errors]") {
  Rig r;
  auto dev = r.device();
  r.model->chip().faults().go_silent(true);
  sim::MpsseStats before = r.model->stats();
  try {
    dev->ping(kPingData);
    FAIL("no error");
  } catch (const LinkError& e) {
    CHECK(e.kind() == LinkError::Kind::Timeout);
    CHECK(std::string(e.what()).find("did not answer") != std::string::npos);
  }
  // The growing poll batches need few USB round trips even for the SDK's
  // 120000-poll budget: a USB write reads at most 1024 bytes, so about 120
  // writes per attempt (two attempts), against 120000 for one poll per write.
  uint64_t writes = r.model->stats().usb_writes - before.usb_writes;
  CHECK(writes <= 2 * (transport::SpiLinkOptions::kSdkPollBudget / 1024 + 20));
  WARN("USB writes until a silent chip times out (all attempts): " << writes);
  r.model->chip().faults().go_silent(false);
  CHECK(dev->ping(kPingData) == kPingData);
}

TEST_CASE("a chip select wired to another pin than configured is a timeout, not garbage",
          "[ftdi][errors]") {
  Rig r;
  auto dev = std::make_unique<transport::Device>(std::make_unique<transport::SpiLink>(
      std::make_unique<FtdiMpsseBus>(r.make_usb(5), r.config())));
  CHECK_THROWS_AS(dev->ping(kPingData), LinkError);
  CHECK(r.model->chip().counters().snapshot().total_commands() == 0);
}

TEST_CASE("ftdi:model:STATE opens the whole ftdi link over the model", "[ftdi]") {
  ScratchChip chip;
  auto link =
      simulated_links::all_links().open("ftdi:model:" + chip.state + ",spi-clock-hz=10000000");
  transport::Device dev(std::move(link));
  CHECK(dev.ping(kPingData) == kPingData);
  CHECK(dev.status().serial == chip.provisioned.serial);
  CHECK(dev.describe() == "ftdi:model:" + chip.state);
  CHECK_THROWS_AS(simulated_links::all_links().open("ftdi:model:" + chip.file("none")),
                  ConfigError);
  CHECK_THROWS_AS(
      simulated_links::all_links().open("ftdi:model:" + chip.state + ",spi-clock-hz=7000000"),
      ConfigError);
}
