// What loading the provider costs a process that does not use it (issue 16):
// no USB stack (libftdi1, libusb-1.0) unless the device is ftdi:, and ftdi:
// over the in-memory FT232H (ftdi:model:) still works without it.
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "provider/provider_io_test_support.h"
#include "wire/openssl_handles.h"

using maxq::Bytes;
using maxq::testing::ChipAndProvider;
using maxq::testing::drain_errors;
using maxq::testing::LoadedProvider;
using maxq::testing::TempChip;
using maxq::wire::Command;

namespace {

// The libraries mapped into this process whose path contains `name`.
std::string mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::string line, found;
  while (std::getline(maps, line))
    if (line.find(name) != std::string::npos) found += line + "\n";
  return found;
}

void require_no_usb_stack() {
  CHECK(mapped("libftdi1") == "");
  CHECK(mapped("libusb-1.0") == "");
  CHECK(mapped("libudev") == "");
}

// 32 bytes from the chip's TRNG: one chip command, so the device was opened.
void random_from_chip(OSSL_LIB_CTX* ctx) {
  std::unique_ptr<EVP_RAND, maxq::ossl::Deleter<EVP_RAND_free>> rand(
      EVP_RAND_fetch(ctx, "MAXQ1061-TRNG", "provider=maxq1061"));
  INFO(drain_errors());
  REQUIRE(rand);
  std::unique_ptr<EVP_RAND_CTX, maxq::ossl::Deleter<EVP_RAND_CTX_free>> trng(
      EVP_RAND_CTX_new(rand.get(), nullptr));
  REQUIRE(trng);
  REQUIRE(EVP_RAND_instantiate(trng.get(), 256, 0, nullptr, 0, nullptr) == 1);
  Bytes out(32);
  REQUIRE(EVP_RAND_generate(trng.get(), out.data(), out.size(), 256, 0, nullptr, 0) == 1);
}

}  // namespace

TEST_CASE("a sim: device maps no USB library, loaded or used", "[startup]") {
  ChipAndProvider cp;
  require_no_usb_stack();
  auto before = cp.counters();
  random_from_chip(cp.ctx());
  CHECK(cp.count(Command::GetChallenge, before) == 1);
  require_no_usb_stack();
}

TEST_CASE("ftdi:model: runs the ftdi link without loading libftdi1", "[startup][ftdi]") {
  TempChip chip;
  LoadedProvider provider("ftdi:model:" + chip.state + ",spi-clock-hz=10000000");
  auto before = maxq::sim::Counters::read_file(chip.state + ".counters");
  random_from_chip(provider.get());
  auto after = maxq::sim::Counters::read_file(chip.state + ".counters");
  CHECK((after - before).count(static_cast<uint8_t>(Command::GetChallenge)) == 1);
  require_no_usb_stack();
}
