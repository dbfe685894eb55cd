// What the provider core promises around the chip: which operations cost a
// chip command (and which must not), ephemeral keys in reusable temporary
// slots, ECDH and ECDSA results software agrees with, threads, and a clean
// error queue. Every test reads the simulated chip's counters.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "test/handshake/provider_test_support.h"

using namespace maxq;
using namespace maxq::provider_test;

TEST_CASE("ephemeral keys reuse temporary slots: a generation and a read each", "[provider]") {
  Chip chip;
  auto before = counters(chip.state);
  for (int i = 0; i < 5; ++i) ephemeral_key(chip.ctx.get(), "P-256");
  auto d = counters(chip.state) - before;
  CHECK(d.count(kCreate) == 1);  // the slot, made once
  CHECK(d.count(kGenerate) == 5);
  CHECK(d.count(kRead) == 5);  // the new public key: the part answers generation with no data
  CHECK(d.total_commands() == 1 + 1 + 2 * 5);  // + get status when the session opened
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

namespace {

// An application's library context loaded from an openssl.cnf with the
// provider on `chip`, OpenSSL's default provider unless `with_default` is
// false, and `default_properties` when not empty.
LibCtxPtr application(const Chip& chip, bool with_default, const std::string& default_properties) {
  std::string conf = chip.dir.file("application.cnf");
  {
    std::ofstream f(conf, std::ios::trunc);
    f << "openssl_conf = init\n[init]\nproviders = prov\n";
    if (!default_properties.empty())
      f << "alg_section = algs\n[algs]\ndefault_properties = " << default_properties << "\n";
    f << "[prov]\nmaxq1061 = mx\n";
    if (with_default) f << "default = def\n[def]\nactivate = 1\n";
    f << "[mx]\nmodule = " << MAXQ_MODULE_DIR << "/maxq1061.so\nactivate = 1\n"
      << "device = sim:" << chip.state << "\n";
  }
  LibCtxPtr ctx(OSSL_LIB_CTX_new());
  REQUIRE(OSSL_LIB_CTX_load_config(ctx.get(), conf.c_str()) == 1);
  return ctx;
}

// The chip key `uri` as the application's store loads it.
PkeyPtr stored_key(OSSL_LIB_CTX* ctx, const char* uri, const char* propq = nullptr) {
  std::unique_ptr<OSSL_STORE_CTX, ossl::Deleter<OSSL_STORE_close>> store(
      OSSL_STORE_open_ex(uri, ctx, propq, nullptr, nullptr, nullptr, nullptr, nullptr));
  REQUIRE(store);
  PkeyPtr key;
  while (!key && !OSSL_STORE_eof(store.get())) {
    std::unique_ptr<OSSL_STORE_INFO, ossl::Deleter<OSSL_STORE_INFO_free>> info(
        OSSL_STORE_load(store.get()));
    if (info && OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY)
      key.reset(OSSL_STORE_INFO_get1_PKEY(info.get()));
  }
  REQUIRE(key);
  return key;
}

}  // namespace

// The digest and the check of the first signature under a loaded key come
// from the application's library context when it has OpenSSL's default
// provider (no second context to build, issue 16); from the provider's own
// software context when it does not. Both sign right.
TEST_CASE("a chip key signs whether or not the application's context has the default provider",
          "[provider]") {
  Chip chip;
  PkeyPtr made = make_key(chip.ctx, "P-256", true, 0x0101);
  LibraryContext software = LibraryContext::software();
  PkeyPtr pub = software_public(software.get(), made.get());
  const std::string setting = GENERATE(std::string("default provider loaded"),
                                       std::string("default properties provider=maxq1061"),
                                       std::string("no default provider"));
  CAPTURE(setting);
  LibCtxPtr ctx =
      application(chip, setting != "no default provider",
                  setting == "default properties provider=maxq1061" ? "provider=maxq1061" : "");
  PkeyPtr key = stored_key(ctx.get(), "maxq1061:id=0x0101");
  const unsigned char msg[] = "one-shot signature";
  MdCtxPtr md(EVP_MD_CTX_new());
  const bool init = EVP_DigestSignInit_ex(md.get(), nullptr, "SHA384", ctx.get(), nullptr,
                                          key.get(), nullptr) == 1;
  if (!init) FAIL(openssl_errors());
  Bytes sig(EVP_PKEY_get_size(key.get()));
  size_t len = sig.size();
  auto before = counters(chip.state);
  REQUIRE(EVP_DigestSign(md.get(), sig.data(), &len, msg, sizeof msg) == 1);
  sig.resize(len);
  CHECK((counters(chip.state) - before).count(kSign) == 1);
  MdCtxPtr vmd(EVP_MD_CTX_new());
  REQUIRE(EVP_DigestVerifyInit_ex(vmd.get(), nullptr, "SHA384", software.get(), nullptr, pub.get(),
                                  nullptr) == 1);
  CHECK(EVP_DigestVerify(vmd.get(), sig.data(), sig.size(), msg, sizeof msg) == 1);
  CHECK(ERR_peek_error() == 0);
}

// The digest's properties: the ones given with its name (as in OpenSSL's own
// ECDSA), and a FIPS application's: no digest from outside its module.
TEST_CASE("the digest is fetched with the properties given for it, and never around fips=yes",
          "[provider]") {
  Chip chip;
  make_key(chip.ctx, "P-256", true, 0x0101);
  // Sets the digest as an application does through the context's parameters.
  auto set_digest = [](EVP_PKEY_CTX* pctx, const char* name, const char* properties) {
    OSSL_PARAM params[3];
    size_t n = 0;
    params[n++] =
        OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, const_cast<char*>(name), 0);
    if (properties)
      params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES,
                                                     const_cast<char*>(properties), 0);
    params[n] = OSSL_PARAM_construct_end();
    return EVP_PKEY_CTX_set_params(pctx, params) == 1;
  };
  SECTION("properties given with the digest") {
    LibCtxPtr ctx = application(chip, true, "");
    PkeyPtr key = stored_key(ctx.get(), "maxq1061:id=0x0101");
    PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx.get(), key.get(), nullptr));
    REQUIRE(pctx);
    REQUIRE(EVP_PKEY_sign_init(pctx.get()) == 1);
    CHECK(set_digest(pctx.get(), "SHA256", "provider=default"));
    ERR_clear_error();
    CHECK_FALSE(set_digest(pctx.get(), "SHA256", "provider=nosuch"));
    CHECK_THAT(openssl_errors(), Catch::Contains("digest SHA256 is not available with properties "
                                                 "\"provider=nosuch\""));
    CHECK_FALSE(set_digest(pctx.get(), "NOSUCH-DIGEST", nullptr));
    CHECK_THAT(openssl_errors(), Catch::Contains("digest NOSUCH-DIGEST is not available"));
    CHECK_FALSE(set_digest(pctx.get(), "SHAKE256", nullptr));
    CHECK_THAT(openssl_errors(), Catch::Contains("cannot be used for ECDSA"));
  }
  SECTION("fips=yes and no FIPS provider: no digest from the software context") {
    LibCtxPtr ctx = application(chip, true, "fips=yes");
    // "-fips" takes fips=yes out of these queries, so that this provider's
    // store and ECDSA are fetched at all; the digest's fetch keeps the defaults.
    PkeyPtr key = stored_key(ctx.get(), "maxq1061:id=0x0101", "-fips");
    PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx.get(), key.get(), "-fips"));
    REQUIRE(pctx);
    const bool init = EVP_PKEY_sign_init(pctx.get()) == 1;
    if (!init) FAIL(openssl_errors());
    CHECK_FALSE(set_digest(pctx.get(), "SHA256", nullptr));
    CHECK_THAT(openssl_errors(), Catch::Contains("digest SHA256 is not available"));
  }
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
  CHECK(d.count(kRead) == 30);
  CHECK(d.total_commands() == 120 + d.count(kCreate));  // slots made as threads overlap
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

TEST_CASE("a property query on the SSL_CTX alone routes ECDHE to the chip", "[provider]") {
  maxq::testing::TempDir dir;
  LibraryContext software = LibraryContext::software();
  TestCa ca(software.get());
  std::string state = dir.file("client.state");
  LibraryContext chip = LibraryContext::with_chip(MAXQ_MODULE_DIR, dir.path(), {state, false});
  Identity client{make_key(chip, "P-256", true, 0x0101), nullptr};
  client.cert = ca.issue(client.key.get(), "client");
  Identity server{make_key(software, "P-256", false, 0), nullptr};
  server.cert = ca.issue(server.key.get(), "server");
  // What `s_client -propquery ?provider=maxq1061` does: no default properties.
  SslCtxPtr cctx(SSL_CTX_new_ex(chip.get(), "?provider=maxq1061", TLS_client_method()));
  REQUIRE(cctx);
  SSL_CTX_set_min_proto_version(cctx.get(), TLS1_3_VERSION);
  REQUIRE(SSL_CTX_set1_groups_list(cctx.get(), "secp256r1") == 1);
  REQUIRE(SSL_CTX_use_certificate(cctx.get(), client.cert.get()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(cctx.get(), client.key.get()) == 1);
  REQUIRE(X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx.get()), ca.cert()) == 1);
  SSL_CTX_set_verify(cctx.get(), SSL_VERIFY_PEER, nullptr);
  SslCtxPtr sctx = make_ssl_ctx(software, true, 13, "P-256", server, ca);
  run_handshake(cctx.get(), sctx.get());  // warm-up: the slot
  auto before = counters(state);
  run_handshake(cctx.get(), sctx.get());
  auto d = counters(state) - before;
  CHECK(d.count(kGenerate) == 1);
  CHECK(d.count(kExchange) == 1);
  CHECK(d.count(kSign) == 1);
  CHECK(d.count(kRead) == 1);
  CHECK(d.total_commands() == 4);
}
