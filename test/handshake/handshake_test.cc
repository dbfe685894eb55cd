// Mutual-TLS handshakes in one process over BIO pairs. Every test reads the
// chips' counters and asserts which chip commands the handshake cost, so a
// silent fallback to software fails.
#include <openssl/store.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "simulator/counters.h"
#include "test/support/temp_chip.h"
#include "test/support/tls_fixture.h"

using namespace maxq;
using namespace maxq::tls_fixture;

namespace {

constexpr uint8_t kSign = static_cast<uint8_t>(wire::Command::SignVerify);
constexpr uint8_t kGenerate = static_cast<uint8_t>(wire::Command::ImportKey);
constexpr uint8_t kExchange = static_cast<uint8_t>(wire::Command::KeyExchange);
// Random numbers come through get challenge on MAXQ106x parts.
constexpr uint8_t kRandom = static_cast<uint8_t>(wire::Command::GetChallenge);
constexpr uint8_t kRead = static_cast<uint8_t>(wire::Command::ReadObject);

struct Endpoint {
  std::unique_ptr<LibraryContext> ctx;
  Identity id;
  std::string state;  // empty: software endpoint
  sim::CounterSnapshot counters() const { return sim::Counters::read_file(state + ".counters"); }
};

struct World {
  maxq::testing::TempDir dir;
  LibraryContext software = LibraryContext::software();
  TestCa ca{software.get()};

  Endpoint endpoint(const std::string& name, bool on_chip, bool offload, const std::string& curve) {
    Endpoint e;
    if (on_chip) {
      e.state = dir.file(name + ".state");
      e.ctx = std::make_unique<LibraryContext>(
          LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {e.state, offload}));
    }
    const LibraryContext& c = on_chip ? *e.ctx : software;
    e.id.key = make_key(c, curve, on_chip, 0x0101);
    e.id.cert = ca.issue(e.id.key.get(), name);
    return e;
  }
  const LibraryContext& ctx_of(const Endpoint& e) const { return e.ctx ? *e.ctx : software; }
};

}  // namespace

TEST_CASE("mutual TLS with keys on chips", "[handshake]") {
  int version = GENERATE(12, 13);
  std::string curve = GENERATE(std::string("P-256"), std::string("P-384"));
  enum Where { ClientChip, ServerChip, BothChips };
  Where where = GENERATE(ClientChip, ServerChip, BothChips);
  bool offload = GENERATE(false, true);
  CAPTURE(version, curve, where, offload);

  World w;
  Endpoint client = w.endpoint("client", where != ServerChip, offload, curve);
  Endpoint server = w.endpoint("server", where != ClientChip, offload, curve);
  SslCtxPtr cctx = make_ssl_ctx(w.ctx_of(client), false, version, curve, client.id, w.ca);
  SslCtxPtr sctx = make_ssl_ctx(w.ctx_of(server), true, version, curve, server.id, w.ca);

  run_handshake(cctx.get(), sctx.get());  // warm-up: slot creation, DRBG seeding
  std::vector<std::pair<const Endpoint*, sim::CounterSnapshot>> before;
  for (const Endpoint* e : {&client, &server})
    if (!e->state.empty()) before.emplace_back(e, e->counters());
  const int n = 3;
  for (int i = 0; i < n; ++i) REQUIRE_NOTHROW(run_handshake(cctx.get(), sctx.get()));

  for (auto& [e, snap] : before) {
    sim::CounterSnapshot d = e->counters() - snap;
    INFO((e == &client ? "client" : "server") << " chip");
    CHECK(d.count(kSign) == n);  // one signature per handshake, on the chip
    CHECK(d.count(kRandom) == 0);
    if (offload) {
      CHECK(d.count(kGenerate) == n);  // the ephemeral key share, generated on the chip
      // and read back: the part answers a generation with no data (§4.13)
      CHECK(d.count(kRead) == n);
      CHECK(d.count(kExchange) == n);  // and the ECDH on the chip (simulator extension)
      CHECK(d.total_commands() == 4 * n);
    } else {
      CHECK(d.count(kRead) == 0);  // the identity's public key is cached
      CHECK(d.total_commands() == n);
    }
  }
}

TEST_CASE("8 threads share one chip key", "[handshake]") {
  World w;
  Endpoint client = w.endpoint("client", true, false, "P-256");
  Endpoint server = w.endpoint("server", false, false, "P-256");
  SslCtxPtr cctx = make_ssl_ctx(w.ctx_of(client), false, 13, "P-256", client.id, w.ca);
  SslCtxPtr sctx = make_ssl_ctx(w.ctx_of(server), true, 13, "P-256", server.id, w.ca);
  auto before = client.counters();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        try {
          run_handshake(cctx.get(), sctx.get());
          ++ok;
        } catch (...) {
        }
      }
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 80);
  CHECK((client.counters() - before).count(kSign) == 80);
}

TEST_CASE("a forked child signs after its parent used the device", "[handshake]") {
  World w;
  Endpoint client = w.endpoint("client", true, false, "P-256");
  Endpoint server = w.endpoint("server", false, false, "P-256");
  SslCtxPtr cctx = make_ssl_ctx(w.ctx_of(client), false, 13, "P-256", client.id, w.ca);
  SslCtxPtr sctx = make_ssl_ctx(w.ctx_of(server), true, 13, "P-256", server.id, w.ca);
  run_handshake(cctx.get(), sctx.get());
  auto before = client.counters();
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 0;
    try {
      run_handshake(cctx.get(), sctx.get());
    } catch (...) {
      rc = 1;
    }
    _exit(rc);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK((client.counters() - before).count(kSign) == 1);   // the child's signature
  REQUIRE_NOTHROW(run_handshake(cctx.get(), sctx.get()));  // and the parent carries on
}

// Loads key 0x0101 through the provider's URI store and signs with it: the
// first chip operation of `ctx` opens its device.
static bool sign_with_stored_key(OSSL_LIB_CTX* ctx) {
  std::unique_ptr<OSSL_STORE_CTX, ossl::Deleter<OSSL_STORE_close>> store(OSSL_STORE_open_ex(
      "maxq1061:id=0x0101", ctx, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  PkeyPtr key;
  while (store && !key && !OSSL_STORE_eof(store.get())) {
    std::unique_ptr<OSSL_STORE_INFO, ossl::Deleter<OSSL_STORE_INFO_free>> info(
        OSSL_STORE_load(store.get()));
    if (info && OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY)
      key.reset(OSSL_STORE_INFO_get1_PKEY(info.get()));
  }
  if (!key) return false;
  std::unique_ptr<EVP_MD_CTX, ossl::Deleter<EVP_MD_CTX_free>> md(EVP_MD_CTX_new());
  unsigned char sig[80];
  size_t sig_len = sizeof sig;
  const unsigned char msg[] = "fork";
  return md &&
         EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", ctx, nullptr, key.get(), nullptr) ==
             1 &&
         EVP_DigestSign(md.get(), sig, &sig_len, msg, sizeof msg) == 1 && sig_len > 0;
}

// Another thread is opening the device (slowly: a 1 kHz modelled bus, about a
// second for the first status) when the process forks. The child must not
// inherit the provider's lock held by a thread it does not have: it opens its
// own session and signs (issue 15). Before the fix it blocked forever.
TEST_CASE("a child forked while another thread opens the device signs on its own", "[handshake]") {
  World w;
  Endpoint chip = w.endpoint("chip", true, false, "P-256");  // provisions it, makes 0x0101
  LibraryContext slow = LibraryContext::with_chip(
      MAXQ_MODULE_DIR, w.dir.path(),
      {chip.state, false, "sim:" + chip.state + ",latency=modelled,spi-clock-hz=1000"});
  auto before = chip.counters();
  std::atomic<bool> started{false};
  bool parent_signed = false;
  std::thread opener([&] {
    started = true;
    parent_signed = sign_with_stored_key(slow.get());
  });
  while (!started) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  pid_t pid = fork();
  if (pid == 0) {
    alarm(60);  // a lock held for good would block the child forever
    _exit(sign_with_stored_key(slow.get()) ? 0 : 1);
  }
  opener.join();
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));  // not killed by the alarm
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(parent_signed);
  CHECK((chip.counters() - before).count(kSign) == 2);
}

TEST_CASE("a certificate that does not match the chip key is refused", "[handshake]") {
  World w;
  Endpoint client = w.endpoint("client", true, false, "P-256");
  Endpoint other = w.endpoint("other", false, false, "P-256");
  Identity mixed;
  mixed.key = std::move(client.id.key);
  mixed.cert = std::move(other.id.cert);
  CHECK_THROWS_WITH(make_ssl_ctx(w.ctx_of(client), false, 13, "P-256", mixed, w.ca),
                    Catch::Contains("values mismatch") || Catch::Contains("match"));
}

TEST_CASE("the private key of a chip key cannot be exported", "[handshake]") {
  World w;
  Endpoint client = w.endpoint("client", true, false, "P-256");
  OSSL_PARAM* params = nullptr;
  CHECK(EVP_PKEY_todata(client.id.key.get(), EVP_PKEY_KEYPAIR, &params) == 0);
  CHECK_THAT(openssl_errors(), Catch::Contains("never leaves the MAXQ1061"));
  // EVP_PKEY_todata keeps what its callback last made, also when the export
  // fails: here the empty set the key manager asks who is importing with
  // (ec_export). A caller frees it.
  OSSL_PARAM_free(params);
  params = nullptr;
  REQUIRE(EVP_PKEY_todata(client.id.key.get(), EVP_PKEY_PUBLIC_KEY, &params) == 1);
  CHECK(OSSL_PARAM_locate(params, "priv") == nullptr);
  CHECK(OSSL_PARAM_locate(params, "pub") != nullptr);
  OSSL_PARAM_free(params);
}

TEST_CASE("key generation errors are clear", "[handshake]") {
  World w;
  std::string state = w.dir.file("chip.state");
  LibraryContext ctx = LibraryContext::with_chip(MAXQ_MODULE_DIR, w.dir.path(), {state, false});
  SECTION("unsupported curve") {
    CHECK_THROWS_WITH(make_key(ctx, "secp256k1", true, 0x0101), Catch::Contains("secp256k1"));
  }
  SECTION("without the admin key") {
    std::remove((state + ".admin.pem").c_str());
    CHECK_THROWS_WITH(make_key(ctx, "P-256", true, 0x0101), Catch::Contains("admin"));
  }
  SECTION("an id that exists") {
    make_key(ctx, "P-256", true, 0x0101);
    CHECK_THROWS_WITH(make_key(ctx, "P-256", true, 0x0101), Catch::Contains("0x0101"));
  }
}
