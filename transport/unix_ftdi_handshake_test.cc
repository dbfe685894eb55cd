// Full provider TLS handshakes whose chip sits behind the unix link (a
// maxq1061-sim process) or the ftdi link (MPSSE bytes into the in-memory
// FT232H): the provider is pointed at the link with MAXQ1061_DEVICE, which it
// reads when it is loaded. Negative controls prove the link is really used.
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "simulator/counters.h"
#include "simulator/sim_daemon_test_support.h"
#include "test/support/tls_fixture.h"

using namespace maxq;
using namespace maxq::tls_fixture;
using sim::testing::DaemonProcess;
using sim::testing::ScratchChip;

namespace {

constexpr uint8_t kSign = static_cast<uint8_t>(wire::Command::SignVerify);
constexpr uint8_t kGenerate = static_cast<uint8_t>(wire::Command::ImportKey);
constexpr uint8_t kExchange = static_cast<uint8_t>(wire::Command::KeyExchange);

// The provider reads MAXQ1061_DEVICE when a library context loads it.
LibraryContext chip_context(const ScratchChip& chip, const std::string& device, bool offload) {
  setenv("MAXQ1061_DEVICE", device.c_str(), 1);
  struct Unset {
    ~Unset() { unsetenv("MAXQ1061_DEVICE"); }
  } unset;
  return LibraryContext::with_chip(MAXQ_MODULE_DIR, chip.dir, {chip.state, offload});
}

struct Tls {
  LibraryContext software = LibraryContext::software();
  TestCa ca{software.get()};
  Identity server;
  SslCtxPtr sctx;
  explicit Tls(int version) {
    server.key = make_key(software, "P-256", false, 0);
    server.cert = ca.issue(server.key.get(), "server");
    sctx = make_ssl_ctx(software, true, version, "P-256", server, ca);
  }
  SslCtxPtr client(const LibraryContext& ctx, int version, Identity& id) {
    id.key = make_key(ctx, "P-256", true, 0x0101);
    id.cert = ca.issue(id.key.get(), "client");
    return make_ssl_ctx(ctx, false, version, "P-256", id, ca);
  }
};

sim::CounterSnapshot counters(const ScratchChip& chip) {
  return sim::Counters::read_file(chip.state + ".counters");
}

}  // namespace

TEST_CASE("mutual TLS with the client key behind the unix link", "[handshake][unix]") {
  int version = GENERATE(12, 13);
  bool offload = GENERATE(false, true);
  CAPTURE(version, offload);
  ScratchChip chip;
  std::string sock = chip.file("sim.sock");
  auto daemon = DaemonProcess::serve(chip.state, sock);
  Tls tls(version);
  LibraryContext ctx = chip_context(chip, "unix:" + sock, offload);
  Identity id;
  SslCtxPtr cctx = tls.client(ctx, version, id);
  run_handshake(cctx.get(), tls.sctx.get());  // warm-up: slots, DRBG seeding
  auto before = counters(chip);
  REQUIRE_NOTHROW(run_handshake(cctx.get(), tls.sctx.get()));
  REQUIRE_NOTHROW(run_handshake(cctx.get(), tls.sctx.get()));
  auto d = counters(chip) - before;
  CHECK(d.count(kSign) == 2);
  CHECK(d.count(kGenerate) == (offload ? 2 : 0));
  CHECK(d.count(kExchange) == (offload ? 2 : 0));
  // The daemon really is the way to the chip: without it the handshake fails,
  // and once it is back the same contexts work again.
  daemon->kill9();
  CHECK_THROWS_WITH(run_handshake(cctx.get(), tls.sctx.get()), Catch::Contains("unix:" + sock));
  daemon = DaemonProcess::serve(chip.state, sock);
  if (!offload) {
    CHECK_NOTHROW(run_handshake(cctx.get(), tls.sctx.get()));
  } else {
    // A restarted daemon is a chip after reset: its temporary (RAM) objects are
    // gone, and the provider's ephemeral slots with them (reported to the
    // provider work). A new provider session works.
    LibraryContext again = chip_context(chip, "unix:" + sock, offload);
    Identity id2;
    id2.key = make_key(again, "P-256", true, 0x0102);
    id2.cert = tls.ca.issue(id2.key.get(), "client");
    SslCtxPtr cctx2 = make_ssl_ctx(again, false, version, "P-256", id2, tls.ca);
    CHECK_NOTHROW(run_handshake(cctx2.get(), tls.sctx.get()));
  }
}

TEST_CASE("mutual TLS with the client key behind the ftdi link", "[handshake][ftdi]") {
  int version = GENERATE(12, 13);
  bool offload = GENERATE(false, true);
  CAPTURE(version, offload);
  ScratchChip chip;
  Tls tls(version);
  LibraryContext ctx =
      chip_context(chip, "ftdi:model:" + chip.state + ",spi-clock-hz=10000000", offload);
  Identity id;
  SslCtxPtr cctx = tls.client(ctx, version, id);
  if (offload) {
    // Full offload needs raw ECDH on the chip, which a MAXQ1061 does not
    // return: refused on an ftdi: device, saying why, with nothing sent for it.
    auto before = counters(chip);
    CHECK_THROWS_WITH(
        run_handshake(cctx.get(), tls.sctx.get()),
        Catch::Contains("returns no raw ECDH secret") && Catch::Contains("Keep ECDHE in software"));
    auto d = counters(chip) - before;
    CHECK(d.count(kGenerate) == 0);
    CHECK(d.count(kExchange) == 0);
    return;
  }
  run_handshake(cctx.get(), tls.sctx.get());
  auto before = counters(chip);
  REQUIRE_NOTHROW(run_handshake(cctx.get(), tls.sctx.get()));
  REQUIRE_NOTHROW(run_handshake(cctx.get(), tls.sctx.get()));
  auto d = counters(chip) - before;
  CHECK(d.count(kSign) == 2);
  CHECK(d.count(kGenerate) == 0);
  CHECK(d.count(kExchange) == 0);
}

TEST_CASE("the provider reports a link it cannot open", "[handshake][ftdi]") {
  ScratchChip chip;
  // A clock the bridge cannot make: the ftdi link refuses it when the device opens.
  LibraryContext ctx =
      chip_context(chip, "ftdi:model:" + chip.state + ",spi-clock-hz=7000000", false);
  CHECK_THROWS_WITH(make_key(ctx, "P-256", true, 0x0101), Catch::Contains("spi-clock-hz=7000000"));
  LibraryContext none = chip_context(chip, "unix:" + chip.file("none.sock"), false);
  CHECK_THROWS_WITH(make_key(none, "P-256", true, 0x0101), Catch::Contains("maxq1061-sim"));
}
