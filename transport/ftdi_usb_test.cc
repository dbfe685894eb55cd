// libftdi1 is loaded at run time, at the first ftdi: device (issue 16).
#include "transport/ftdi_usb.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "transport/device_spec.h"
#include "transport/errors.h"
#include "transport/link.h"
#include "transport/link_registry.h"

using namespace maxq;

namespace {

bool mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line))
    if (line.find(name) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a missing libftdi1 is a clear error naming the Debian package", "[ftdi][dlopen]") {
  try {
    transport::make_libftdi_usb("libftdi1-not-installed.so.9");
    FAIL("loaded");
  } catch (const transport::ConfigError& e) {
    std::string m = e.what();
    CHECK(m.find("libftdi1-not-installed.so.9") != std::string::npos);
    CHECK(m.find("libftdi1-2") != std::string::npos);
  }
  // A failed load is not remembered: the next open tries again (and fails again).
  CHECK_THROWS_AS(transport::make_libftdi_usb("libftdi1-not-installed.so.9"),
                  transport::ConfigError);
}

TEST_CASE("an ftdi: device loads libftdi1 at its first open, not before", "[ftdi][dlopen]") {
  // The test binary does not link libftdi1; opening an ftdi: device loads it.
  // (No FT232H is attached here: the open fails with the link's error.)
  CHECK_THROWS_AS(transport::builtin_links().open("ftdi:i:0x0403:0x6014"), transport::Error);
  CHECK(mapped("libftdi1"));
  auto usb = transport::make_libftdi_usb();
  CHECK(usb->open("i:0x0403:0x6014", 0) < 0);
  CHECK_FALSE(usb->error_string().empty());
}
