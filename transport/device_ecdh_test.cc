// Raw ECDH is the simulated chip's extension (no public MAXQ1061 command
// returns an ECDH secret): refused on a link that reaches hardware, here the
// FTDI link to the in-memory FT232H (device string ftdi:model:STATE), without
// a byte sent; on sim: the same secret as software ECDH.
#include <catch2/catch.hpp>

#include "simulated_links/simulated_links.h"
#include "simulator/counters.h"
#include "test/support/software_ec.h"
#include "test/support/temp_chip.h"
#include "transport/device.h"
#include "transport/device_spec.h"

using namespace maxq;
using maxq::testing::TempChip;

namespace {

std::unique_ptr<transport::Device> open(const std::string& device) {
  return std::make_unique<transport::Device>(simulated_links::all_links().open(device));
}

}  // namespace

TEST_CASE("ECDH over an ftdi: link is refused, saying the MAXQ1061 has no raw ECDH",
          "[device][ecdh]") {
  TempChip t;
  transport::PublicKey key = t.make_key(*t.open_device(), 0x0101);
  maxq::testing::SoftwareEc sw;
  auto peer = sw.generate(wire::Curve::P256);
  const Bytes peer_xy = maxq::testing::SoftwareEc::public_xy(peer.get());

  auto ftdi = open("ftdi:model:" + t.state);
  REQUIRE(ftdi->link().reaches_hardware());
  CHECK(ftdi->read_public(0x0101) == key);  // the link itself works
  const std::string counters = t.state + ".counters";
  auto before = sim::Counters::read_file(counters);
  try {
    ftdi->ecdh(0x0101, peer_xy);
    FAIL("raw ECDH was sent to hardware");
  } catch (const transport::UnsupportedError& e) {
    CHECK_THAT(e.what(),
               Catch::Contains("key exchange with key 0x0101") && Catch::Contains("ftdi:") &&
                   Catch::Contains("returns no raw ECDH secret") &&
                   Catch::Contains("TLS 1.2 engine") && Catch::Contains("Keep ECDHE in software"));
  }
  CHECK_THROWS_AS(ftdi->require_raw_ecdh("ECDHE on the chip"), transport::UnsupportedError);
  CHECK((sim::Counters::read_file(counters) - before).total_commands() == 0);  // nothing sent

  // The same chip through sim: the extension answers, with software's secret.
  auto simulated = open("sim:" + t.state);
  REQUIRE_FALSE(simulated->link().reaches_hardware());
  CHECK_NOTHROW(simulated->require_raw_ecdh("ECDHE on the chip"));
  SecretBytes secret = simulated->ecdh(0x0101, peer_xy);
  CHECK(secret.view().to_bytes() ==
        sw.ecdh(peer.get(), sw.public_key(wire::Curve::P256, key.xy).get()));
  auto delta = sim::Counters::read_file(counters) - before;
  CHECK(delta.count(static_cast<uint8_t>(wire::Command::KeyExchange)) == 1);
}
