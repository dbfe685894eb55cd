// Configuration and the provider's errors: no device I/O at load, no device
// configured (fail closed), missing chips, keys that cannot be saved or belong to another chip,
// unknown and malformed object ids.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "test/handshake/provider_test_support.h"
#include "wire/openssl_handles.h"

using namespace maxq;
using namespace maxq::provider_test;

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
  // The default provider's names for the chip's curves, aliases included
  // (`Groups = P-256` must keep working once libssl uses this provider's EC
  // groups); no group of another algorithm.
  for (const char* name : {"secp256r1", "P-256", "secp384r1", "P-384"})
    CHECK(std::count(groups.begin(), groups.end(), name) == 1);
  CHECK(std::count(groups.begin(), groups.end(), "x25519") == 0);

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

TEST_CASE("without a configured device every chip operation fails closed, naming the setting",
          "[provider][config]") {
  maxq::testing::TempDir dir;
  // Where the provider used to make a chip of its own behind the user's back.
  ScopedEnv state_home("XDG_STATE_HOME", dir.path().c_str());
  ScopedEnv home("HOME", dir.path().c_str());
  ScopedEnv device("MAXQ1061_DEVICE", nullptr);
  ScopedEnv admin("MAXQ1061_ADMIN_KEY", nullptr);
  LibCtxPtr ctx = load_with_config(dir.path(), "");
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx.get(), "EC", "provider=maxq1061"));
  REQUIRE(EVP_PKEY_keygen_init(pctx.get()) == 1);
  OSSL_PARAM gen[] = {OSSL_PARAM_construct_utf8_string("group", const_cast<char*>("P-256"), 0),
                      OSSL_PARAM_construct_utf8_string("id", const_cast<char*>("auto"), 0),
                      OSSL_PARAM_construct_end()};
  REQUIRE(EVP_PKEY_CTX_set_params(pctx.get(), gen) == 1);
  EVP_PKEY* key = nullptr;
  CHECK(EVP_PKEY_keygen(pctx.get(), &key) != 1);
  EVP_PKEY_free(key);
  CHECK_THAT(openssl_errors(), Catch::Contains("no MAXQ1061 device is configured") &&
                                   Catch::Contains("MAXQ1061_DEVICE") &&
                                   Catch::Contains("maxq1061-tool init --device sim:PATH"));
  // Randomness from the chip too (no silent fallback to a software chip).
  unsigned char buf[16];
  EVP_RAND* rand = EVP_RAND_fetch(ctx.get(), "MAXQ1061-TRNG", nullptr);
  REQUIRE(rand != nullptr);
  EVP_RAND_CTX* rctx = EVP_RAND_CTX_new(rand, nullptr);
  EVP_RAND_free(rand);
  REQUIRE(rctx != nullptr);
  (void)EVP_RAND_instantiate(rctx, 0, 0, nullptr, 0, nullptr);
  CHECK(EVP_RAND_generate(rctx, buf, sizeof buf, 0, 0, nullptr, 0) != 1);
  EVP_RAND_CTX_free(rctx);
  CHECK_THAT(openssl_errors(), Catch::Contains("no MAXQ1061 device is configured"));
  // Nothing was made anywhere.
  CHECK(access(dir.file("maxq1061").c_str(), F_OK) != 0);
  CHECK(access(dir.file(".local").c_str(), F_OK) != 0);
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
  std::unique_ptr<OSSL_STORE_CTX, maxq::ossl::Deleter<OSSL_STORE_close>> store(OSSL_STORE_open_ex(
      "maxq1061:id=0x0999", chip.ctx.get(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  bool loaded = false;
  if (store) {
    while (!OSSL_STORE_eof(store.get())) {
      std::unique_ptr<OSSL_STORE_INFO, maxq::ossl::Deleter<OSSL_STORE_INFO_free>> info(
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
