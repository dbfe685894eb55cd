// What the provider core promises beyond a handshake: which operations touch
// the chip (and which must not), ephemeral keys in reusable temporary slots,
// ECDH and ECDSA results that software agrees with, configuration, and clear
// errors. Every test reads the simulated chip's counters.
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "bench/tls_fixture.h"
#include "simulator/counters.h"
#include "test/support/temp_chip.h"

using namespace maxq;
using namespace maxq::bench;

namespace {

constexpr uint8_t kSign = static_cast<uint8_t>(wire::Command::SignVerify);
constexpr uint8_t kGenerate = static_cast<uint8_t>(wire::Command::ImportKey);
constexpr uint8_t kExchange = static_cast<uint8_t>(wire::Command::KeyExchange);
constexpr uint8_t kCreate = static_cast<uint8_t>(wire::Command::CreateObject);

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free>>;

sim::CounterSnapshot counters(const std::string& state) {
  return sim::Counters::read_file(state + ".counters");
}

// A library context with the provider loaded through a config naming `device`
// (and `admin_key` when given); no chip is provisioned here.
LibCtxPtr load_with_config(const std::string& dir, const std::string& device,
                           const std::string& admin_key = "") {
  std::string conf = dir + "/provider.cnf";
  std::ofstream f(conf, std::ios::trunc);
  f << "openssl_conf = init\n[init]\nproviders = prov\n[prov]\ndefault = def\nmaxq1061 = mx\n"
    << "[def]\nactivate = 1\n[mx]\nmodule = " << MAXQ_MODULE_DIR << "/maxq1061.so\nactivate = 1\n";
  if (!device.empty()) f << "device = " << device << "\n";
  if (!admin_key.empty()) f << "admin-key = " << admin_key << "\n";
  f.close();
  LibCtxPtr ctx(OSSL_LIB_CTX_new());
  REQUIRE(ctx);
  REQUIRE(OSSL_LIB_CTX_load_config(ctx.get(), conf.c_str()) == 1);
  return ctx;
}

// An ephemeral key: what libssl's key share generation asks for (group only).
PkeyPtr ephemeral_key(OSSL_LIB_CTX* ctx, const char* group) {
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx, "EC", "provider=maxq1061"));
  REQUIRE(pctx);
  REQUIRE(EVP_PKEY_keygen_init(pctx.get()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_group_name(pctx.get(), group) == 1);
  EVP_PKEY* key = nullptr;
  INFO(openssl_errors());
  REQUIRE(EVP_PKEY_keygen(pctx.get(), &key) == 1);
  return PkeyPtr(key);
}

Bytes derive(OSSL_LIB_CTX* ctx, EVP_PKEY* key, EVP_PKEY* peer) {
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx, key, nullptr));
  size_t len = 0;
  REQUIRE(pctx);
  REQUIRE(EVP_PKEY_derive_init(pctx.get()) == 1);
  REQUIRE(EVP_PKEY_derive_set_peer(pctx.get(), peer) == 1);
  REQUIRE(EVP_PKEY_derive(pctx.get(), nullptr, &len) == 1);
  Bytes secret(len);
  INFO(openssl_errors());
  REQUIRE(EVP_PKEY_derive(pctx.get(), secret.data(), &len) == 1);
  secret.resize(len);
  return secret;
}

// The public half of `key` as a plain software key of `ctx` (default provider).
PkeyPtr software_public(OSSL_LIB_CTX* ctx, EVP_PKEY* key) {
  OSSL_PARAM* params = nullptr;
  REQUIRE(EVP_PKEY_todata(key, EVP_PKEY_PUBLIC_KEY, &params) == 1);
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx, "EC", "provider=default"));
  EVP_PKEY* out = nullptr;
  bool ok = pctx && EVP_PKEY_fromdata_init(pctx.get()) == 1 &&
            EVP_PKEY_fromdata(pctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params) == 1;
  OSSL_PARAM_free(params);
  REQUIRE(ok);
  return PkeyPtr(out);
}

struct Chip {
  maxq::testing::TempDir dir;
  std::string state = dir.file("chip.state");
  LibraryContext ctx = LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {state, false});
};

}  // namespace

TEST_CASE("ephemeral keys reuse temporary slots: one chip command each", "[provider]") {
  Chip chip;
  auto before = counters(chip.state);
  for (int i = 0; i < 5; ++i) ephemeral_key(chip.ctx.get(), "P-256");
  auto d = counters(chip.state) - before;
  CHECK(d.count(kCreate) == 1);  // the slot, made once
  CHECK(d.count(kGenerate) == 5);
  CHECK(d.total_commands() == 1 + 1 + 5);  // + get status when the session opened
}

TEST_CASE("ECDH on the chip agrees with software, also beyond the slot pool", "[provider]") {
  Chip chip;
  LibraryContext software = LibraryContext::software();
  std::vector<PkeyPtr> keys;
  auto before = counters(chip.state);
  // Hold one key more than there are temporary slots: the last is made in software.
  for (size_t i = 0; i <= wire::kTemporarySlots; ++i)
    keys.push_back(ephemeral_key(chip.ctx.get(), "P-384"));
  auto d = counters(chip.state) - before;
  CHECK(d.count(kCreate) == wire::kTemporarySlots);
  CHECK(d.count(kGenerate) == wire::kTemporarySlots);

  PkeyPtr peer(EVP_PKEY_Q_keygen(software.get(), nullptr, "EC", "P-384"));
  REQUIRE(peer);
  for (size_t i : {size_t{0}, wire::kTemporarySlots}) {
    PkeyPtr pub = software_public(software.get(), keys[i].get());
    before = counters(chip.state);
    Bytes ours = derive(chip.ctx.get(), keys[i].get(), peer.get());
    Bytes theirs = derive(software.get(), peer.get(), pub.get());
    CHECK(ours == theirs);
    CHECK(ours.size() == 48);
    CHECK((counters(chip.state) - before).count(kExchange) == (i == 0 ? 1 : 0));
  }
  // Freed keys give their slots back: no new slot for the next key.
  keys.clear();
  before = counters(chip.state);
  ephemeral_key(chip.ctx.get(), "P-384");
  CHECK((counters(chip.state) - before).count(kCreate) == 0);
}

TEST_CASE("an invalid peer point is refused before it reaches the chip", "[provider]") {
  Chip chip;
  PkeyPtr key = ephemeral_key(chip.ctx.get(), "P-256");
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(chip.ctx.get(), "EC", "provider=maxq1061"));
  REQUIRE(EVP_PKEY_paramgen_init(pctx.get()) == 1);
  REQUIRE(EVP_PKEY_CTX_set_group_name(pctx.get(), "P-256") == 1);
  EVP_PKEY* peer = nullptr;
  REQUIRE(EVP_PKEY_paramgen(pctx.get(), &peer) == 1);
  PkeyPtr peer_owner(peer);
  Bytes point(65, 0x01);
  point[0] = 0x04;  // uncompressed, but not on the curve
  auto before = counters(chip.state);
  CHECK(EVP_PKEY_set1_encoded_public_key(peer, point.data(), point.size()) != 1);
  CHECK_THAT(openssl_errors(), Catch::Contains("not a valid point"));
  CHECK((counters(chip.state) - before).total_commands() == 0);
}

TEST_CASE("ECDSA: signed on the chip, verified in software, sizes without I/O", "[provider]") {
  Chip chip;
  std::string curve = GENERATE(std::string("P-256"), std::string("P-384"));
  const char* digest = GENERATE("SHA256", "SHA384", "SHA512");
  CAPTURE(curve, digest);
  PkeyPtr key = make_key(chip.ctx, curve, true, 0x0101);
  LibraryContext software = LibraryContext::software();
  PkeyPtr pub = software_public(software.get(), key.get());
  const unsigned char msg[] = "certificate verify transcript";

  auto before = counters(chip.state);
  CHECK(EVP_PKEY_get_bits(key.get()) == (curve == "P-256" ? 256 : 384));
  CHECK(EVP_PKEY_get_security_bits(key.get()) == (curve == "P-256" ? 128 : 192));
  CHECK(EVP_PKEY_get_size(key.get()) == (curve == "P-256" ? 72 : 104));
  char group[32];
  REQUIRE(EVP_PKEY_get_group_name(key.get(), group, sizeof group, nullptr) == 1);
  CHECK(std::string(group) == (curve == "P-256" ? "prime256v1" : "secp384r1"));
  MdCtxPtr md(EVP_MD_CTX_new());
  REQUIRE(EVP_DigestSignInit_ex(md.get(), nullptr, digest, chip.ctx.get(), nullptr, key.get(),
                                nullptr) == 1);
  size_t len = 0;
  REQUIRE(EVP_DigestSign(md.get(), nullptr, &len, msg, sizeof msg) == 1);
  CHECK((counters(chip.state) - before).total_commands() == 0);

  Bytes sig(len);
  REQUIRE(EVP_DigestSign(md.get(), sig.data(), &len, msg, sizeof msg) == 1);
  sig.resize(len);
  CHECK((counters(chip.state) - before).count(kSign) == 1);
  CHECK((counters(chip.state) - before).total_commands() == 1);

  MdCtxPtr vmd(EVP_MD_CTX_new());
  REQUIRE(EVP_DigestVerifyInit_ex(vmd.get(), nullptr, digest, software.get(), nullptr, pub.get(),
                                  nullptr) == 1);
  CHECK(EVP_DigestVerify(vmd.get(), sig.data(), sig.size(), msg, sizeof msg) == 1);
  // The provider's own verification (software, no chip command) agrees.
  before = counters(chip.state);
  MdCtxPtr own(EVP_MD_CTX_new());
  REQUIRE(EVP_DigestVerifyInit_ex(own.get(), nullptr, digest, chip.ctx.get(), "provider=maxq1061",
                                  key.get(), nullptr) == 1);
  CHECK(EVP_DigestVerify(own.get(), sig.data(), sig.size(), msg, sizeof msg) == 1);
  sig[sig.size() / 2] ^= 0x01;
  CHECK(EVP_DigestVerify(own.get(), sig.data(), sig.size(), msg, sizeof msg) != 1);
  CHECK((counters(chip.state) - before).total_commands() == 0);
  ERR_clear_error();
}

TEST_CASE("ECDHE on the chip from several threads at once", "[provider][threads]") {
  maxq::testing::TempDir dir;
  LibraryContext software = LibraryContext::software();
  TestCa ca(software.get());
  std::string state = dir.file("client.state");
  LibraryContext client_ctx = LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {state, true});
  Identity client{make_key(client_ctx, "P-256", true, 0x0101), nullptr};
  client.cert = ca.issue(client.key.get(), "client");
  Identity server{make_key(software, "P-256", false, 0), nullptr};
  server.cert = ca.issue(server.key.get(), "server");
  SslCtxPtr cctx = make_ssl_ctx(client_ctx, false, 13, "P-256", client, ca);
  SslCtxPtr sctx = make_ssl_ctx(software, true, 13, "P-256", server, ca);
  run_handshake(cctx.get(), sctx.get());  // warm-up: the first slot
  auto before = counters(state);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) try {
          run_handshake(cctx.get(), sctx.get());
          if (ERR_peek_error() == 0) ++ok;
        } catch (const std::exception&) {
        }
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 30);
  auto d = counters(state) - before;
  CHECK(d.count(kSign) == 30);
  CHECK(d.count(kGenerate) == 30);
  CHECK(d.count(kExchange) == 30);
  CHECK(d.total_commands() == 90 + d.count(kCreate));  // slots made as threads overlap
}

TEST_CASE("handshakes leave nothing on the error queue", "[provider]") {
  maxq::testing::TempDir dir;
  LibraryContext software = LibraryContext::software();
  TestCa ca(software.get());
  bool offload = GENERATE(false, true);
  std::string a = dir.file("a.state"), b = dir.file("b.state");
  LibraryContext actx = LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {a, offload});
  LibraryContext bctx = LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {b, offload});
  Identity client{make_key(actx, "P-384", true, 0x0101), nullptr};
  client.cert = ca.issue(client.key.get(), "client");
  Identity server{make_key(bctx, "P-384", true, 0x0101), nullptr};
  server.cert = ca.issue(server.key.get(), "server");
  ERR_clear_error();
  for (int version : {12, 13}) {
    SslCtxPtr cctx = make_ssl_ctx(actx, false, version, "P-384", client, ca);
    SslCtxPtr sctx = make_ssl_ctx(bctx, true, version, "P-384", server, ca);
    run_handshake(cctx.get(), sctx.get());
    INFO("TLS " << version << (offload ? " with ECDHE on the chips" : ""));
    CHECK(openssl_errors() == "no OpenSSL error reported");
  }
}

namespace {

OSSL_PROVIDER* find_provider(OSSL_LIB_CTX* ctx, const char* name) {
  struct Search {
    const char* name;
    OSSL_PROVIDER* found;
  } search{name, nullptr};
  OSSL_PROVIDER_do_all(
      ctx,
      [](OSSL_PROVIDER* p, void* arg) {
        auto* s = static_cast<Search*>(arg);
        if (std::string(OSSL_PROVIDER_get0_name(p)) == s->name) s->found = p;
        return 1;
      },
      &search);
  return search.found;
}

int count_tls_groups(const OSSL_PARAM params[], void* arg) {
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
  const char* name = nullptr;
  if (p != nullptr && OSSL_PARAM_get_utf8_string_ptr(p, &name))
    static_cast<std::vector<std::string>*>(arg)->push_back(name);
  return 1;
}

std::string encode_pem(EVP_PKEY* key) {
  std::unique_ptr<OSSL_ENCODER_CTX, Free<OSSL_ENCODER_CTX_free>> enc(OSSL_ENCODER_CTX_new_for_pkey(
      key, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", "provider=maxq1061"));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!enc || !bio || OSSL_ENCODER_to_bio(enc.get(), bio.get()) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// Restores an environment variable when the test ends.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr)
      setenv(name, value, 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_.empty())
      unsetenv(name_);
    else
      setenv(name_, old_.c_str(), 1);
  }

 private:
  const char* name_;
  std::string old_;
};

}  // namespace

TEST_CASE("loading the provider touches no device; a missing configured chip is an error",
          "[provider][config]") {
  maxq::testing::TempDir dir;
  std::string absent = dir.file("absent.state");
  LibCtxPtr ctx = load_with_config(dir.path(), "sim:" + absent);
  OSSL_PROVIDER* prov = find_provider(ctx.get(), "maxq1061");
  REQUIRE(prov != nullptr);
  const char* name = nullptr;
  int status = 0;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_NAME, const_cast<char**>(&name), 0),
      OSSL_PARAM_construct_int(OSSL_PROV_PARAM_STATUS, &status), OSSL_PARAM_construct_end()};
  REQUIRE(OSSL_PROVIDER_get_params(prov, params) == 1);
  CHECK(std::string(name) == "MAXQ1061 provider");
  CHECK(status == 1);
  std::vector<std::string> groups;
  REQUIRE(OSSL_PROVIDER_get_capabilities(prov, "TLS-GROUP", count_tls_groups, &groups) == 1);
  CHECK(groups == std::vector<std::string>{"secp256r1", "secp384r1"});

  ERR_clear_error();
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx.get(), "EC", "provider=maxq1061"));
  REQUIRE(EVP_PKEY_keygen_init(pctx.get()) == 1);
  OSSL_PARAM gen[] = {OSSL_PARAM_construct_utf8_string("group", const_cast<char*>("P-256"), 0),
                      OSSL_PARAM_construct_utf8_string("id", const_cast<char*>("0x0101"), 0),
                      OSSL_PARAM_construct_end()};
  REQUIRE(EVP_PKEY_CTX_set_params(pctx.get(), gen) == 1);
  EVP_PKEY* key = nullptr;
  CHECK(EVP_PKEY_keygen(pctx.get(), &key) != 1);
  CHECK_THAT(openssl_errors(), Catch::Contains(absent) && Catch::Contains("maxq1061-tool init"));
  CHECK(access(absent.c_str(), F_OK) != 0);  // never silently created
}

TEST_CASE("without a configured device the default chip is made on first use",
          "[provider][config]") {
  maxq::testing::TempDir dir;
  ScopedEnv state_home("XDG_STATE_HOME", dir.path().c_str());
  ScopedEnv device("MAXQ1061_DEVICE", nullptr);
  ScopedEnv admin("MAXQ1061_ADMIN_KEY", nullptr);
  LibCtxPtr ctx = load_with_config(dir.path(), "");
  std::string state = dir.file("maxq1061/sim.state");
  CHECK(access(state.c_str(), F_OK) != 0);  // not at load time
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx.get(), "EC", "provider=maxq1061"));
  REQUIRE(EVP_PKEY_keygen_init(pctx.get()) == 1);
  OSSL_PARAM gen[] = {OSSL_PARAM_construct_utf8_string("group", const_cast<char*>("P-384"), 0),
                      OSSL_PARAM_construct_utf8_string("id", const_cast<char*>("auto"), 0),
                      OSSL_PARAM_construct_end()};
  REQUIRE(EVP_PKEY_CTX_set_params(pctx.get(), gen) == 1);
  EVP_PKEY* key = nullptr;
  INFO(openssl_errors());
  REQUIRE(EVP_PKEY_keygen(pctx.get(), &key) == 1);
  EVP_PKEY_free(key);
  struct stat st {};
  REQUIRE(stat((state + ".admin.pem").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(stat(dir.file("maxq1061").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0700);
  CHECK(counters(state).count(kGenerate) == 1);
}

TEST_CASE("an ephemeral key cannot be saved; a persistent one can", "[provider]") {
  Chip chip;
  PkeyPtr ephemeral = ephemeral_key(chip.ctx.get(), "P-256");
  CHECK(encode_pem(ephemeral.get()).empty());
  CHECK_THAT(openssl_errors(), Catch::Contains("id"));
  PkeyPtr persistent = make_key(chip.ctx, "P-256", true, 0x0102);
  std::string pem = encode_pem(persistent.get());
  CHECK_THAT(pem, Catch::Contains("MAXQ1061 KEY REFERENCE") && !Catch::Contains("PRIVATE KEY"));
}

TEST_CASE("a key of another chip is refused when it is used", "[provider]") {
  maxq::testing::TempDir dir;
  std::string a = dir.file("a.state"), b = dir.file("b.state");
  LibraryContext actx = LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {a, false});
  LibraryContext bctx = LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {b, false});
  PkeyPtr key = make_key(actx, "P-256", true, 0x0101);
  std::string pem = encode_pem(key.get());
  REQUIRE_FALSE(pem.empty());
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr loaded(
      PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, nullptr, nullptr, bctx.get(), nullptr));
  INFO(openssl_errors());
  REQUIRE(loaded);
  auto before = counters(b);
  MdCtxPtr md(EVP_MD_CTX_new());
  REQUIRE(EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", bctx.get(), nullptr, loaded.get(),
                                nullptr) == 1);
  const unsigned char msg[] = "hello";
  unsigned char sig[80];
  size_t len = sizeof sig;
  CHECK(EVP_DigestSign(md.get(), sig, &len, msg, sizeof msg) != 1);
  CHECK_THAT(openssl_errors(), Catch::Contains("belongs to another chip (serial") &&
                                   Catch::Contains("key belongs to another MAXQ1061"));
  CHECK((counters(b) - before).count(kSign) == 0);
}

TEST_CASE("an unknown object id gives a clear error", "[provider]") {
  Chip chip;
  std::unique_ptr<OSSL_STORE_CTX, Free<OSSL_STORE_close>> store(OSSL_STORE_open_ex(
      "maxq1061:id=0x0999", chip.ctx.get(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  bool loaded = false;
  if (store) {
    while (!OSSL_STORE_eof(store.get())) {
      std::unique_ptr<OSSL_STORE_INFO, Free<OSSL_STORE_INFO_free>> info(
          OSSL_STORE_load(store.get()));
      if (!info) break;
      loaded = true;
    }
  }
  CHECK_FALSE(loaded);
  CHECK_THAT(openssl_errors(), Catch::Contains("0x0999"));
}

TEST_CASE("key ids: hex, decimal or auto; ambiguous and reserved ids are refused", "[provider]") {
  Chip chip;
  auto gen = [&](const char* id) {
    PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(chip.ctx.get(), "EC", "provider=maxq1061"));
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("group", const_cast<char*>("P-256"), 0),
                           OSSL_PARAM_construct_utf8_string("id", const_cast<char*>(id), 0),
                           OSSL_PARAM_construct_end()};
    EVP_PKEY* key = nullptr;
    if (EVP_PKEY_keygen_init(pctx.get()) == 1 && EVP_PKEY_CTX_set_params(pctx.get(), params) == 1)
      EVP_PKEY_keygen(pctx.get(), &key);
    return PkeyPtr(key);
  };
  REQUIRE(gen("257"));
  CHECK_FALSE(gen("0x0101"));  // the same object
  CHECK_THAT(openssl_errors(), Catch::Contains("0x0101 already exists"));
  for (const char* bad : {"0101", "0x1001", "0xff00", "0", "65536", "0x", "-1", "one"}) {
    INFO(bad);
    CHECK_FALSE(gen(bad));
    CHECK_THAT(openssl_errors(), Catch::Contains(bad));
  }
  PkeyPtr a = gen("auto"), b = gen("AUTO");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(EVP_PKEY_eq(a.get(), b.get()) != 1);
}
