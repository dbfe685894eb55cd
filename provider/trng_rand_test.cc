// MAXQ1061-TRNG through OpenSSL's EVP_RAND API and as the configured seed
// source, with the chip's counters showing where the bytes came from.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "provider/provider_io_test_support.h"
#include "wire/openssl_handles.h"

using maxq::Bytes;
using maxq::testing::ChipAndProvider;
using maxq::testing::drain_errors;
using maxq::testing::LoadedProvider;
using maxq::testing::TempDir;
using maxq::wire::Command;

namespace {

using RandPtr = std::unique_ptr<EVP_RAND, maxq::ossl::Deleter<EVP_RAND_free>>;
using RandCtxPtr = std::unique_ptr<EVP_RAND_CTX, maxq::ossl::Deleter<EVP_RAND_CTX_free>>;

RandCtxPtr new_trng(OSSL_LIB_CTX* ctx, EVP_RAND_CTX* parent = nullptr) {
  RandPtr rand(EVP_RAND_fetch(ctx, "MAXQ1061-TRNG", "provider=maxq1061"));
  INFO(drain_errors());
  REQUIRE(rand);
  RandCtxPtr r(EVP_RAND_CTX_new(rand.get(), parent));
  REQUIRE(r);
  return r;
}

bool all_zero(const Bytes& b) {
  for (uint8_t x : b)
    if (x != 0) return false;
  return true;
}

}  // namespace

TEST_CASE("the TRNG answers with chip bytes, one command per 1024 bytes", "[trng]") {
  ChipAndProvider cp;
  RandCtxPtr trng = new_trng(cp.ctx());
  REQUIRE(EVP_RAND_instantiate(trng.get(), 256, 0, nullptr, 0, nullptr) == 1);
  CHECK(EVP_RAND_get_state(trng.get()) == EVP_RAND_STATE_READY);
  CHECK(EVP_RAND_get_strength(trng.get()) == 256);

  auto before = cp.counters();
  Bytes a(2500), b(2500);
  REQUIRE(EVP_RAND_generate(trng.get(), a.data(), a.size(), 256, 0, nullptr, 0) == 1);
  CHECK(cp.count(Command::GetChallenge, before) == 3);  // 1024 + 1024 + 452
  CHECK(cp.count(Command::GetRandom, before) == 0);     // MAXQ106x hosts never send 0xC9
  REQUIRE(EVP_RAND_generate(trng.get(), b.data(), b.size(), 128, 1, nullptr, 0) == 1);
  CHECK(cp.count(Command::GetChallenge, before) == 6);
  CHECK(a != b);
  CHECK_FALSE(all_zero(a));
  // Rough sanity of chip output: a 2500-byte sample shows most byte values.
  CHECK(std::set<uint8_t>(a.begin(), a.end()).size() > 200);

  // Reseeding costs nothing: there is no state to refresh.
  before = cp.counters();
  CHECK(EVP_RAND_reseed(trng.get(), 1, nullptr, 0, nullptr, 0) == 1);
  CHECK((cp.counters() - before).total_commands() == 0);
}

TEST_CASE("the TRNG reports its parameters without chip I/O", "[trng]") {
  ChipAndProvider cp;
  auto before = cp.counters();
  RandCtxPtr trng = new_trng(cp.ctx());
  int state = -1;
  unsigned int strength = 0;
  size_t max_request = 0;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_RAND_PARAM_STATE, &state),
      OSSL_PARAM_construct_uint(OSSL_RAND_PARAM_STRENGTH, &strength),
      OSSL_PARAM_construct_size_t(OSSL_RAND_PARAM_MAX_REQUEST, &max_request),
      OSSL_PARAM_construct_end(),
  };
  REQUIRE(EVP_RAND_CTX_get_params(trng.get(), params) == 1);
  CHECK(state == EVP_RAND_STATE_UNINITIALISED);
  CHECK(strength == 256);
  CHECK(max_request >= 1024);
  const OSSL_PARAM* gettable = EVP_RAND_CTX_gettable_params(trng.get());
  CHECK(OSSL_PARAM_locate_const(gettable, OSSL_RAND_PARAM_STRENGTH) != nullptr);
  CHECK(EVP_RAND_verify_zeroization(trng.get()) == 1);
  CHECK(EVP_RAND_enable_locking(trng.get()) == 1);
  CHECK((cp.counters() - before).total_commands() == 0);
}

TEST_CASE("the TRNG refuses what it cannot honour", "[trng]") {
  ChipAndProvider cp;
  RandCtxPtr trng = new_trng(cp.ctx());
  Bytes out(32);
  auto before = cp.counters();
  CHECK(EVP_RAND_generate(trng.get(), out.data(), out.size(), 128, 0, nullptr, 0) != 1);
  CHECK_THAT(drain_errors(), Catch::Contains("before it was instantiated"));
  CHECK(EVP_RAND_instantiate(trng.get(), 512, 0, nullptr, 0, nullptr) != 1);
  CHECK_THAT(drain_errors(), Catch::Contains("exceeds the MAXQ1061 TRNG's 256 bits"));
  REQUIRE(EVP_RAND_instantiate(trng.get(), 256, 0, nullptr, 0, nullptr) == 1);
  CHECK(EVP_RAND_generate(trng.get(), out.data(), out.size(), 512, 0, nullptr, 0) != 1);
  drain_errors();
  CHECK(EVP_RAND_uninstantiate(trng.get()) == 1);
  CHECK(EVP_RAND_get_state(trng.get()) == EVP_RAND_STATE_UNINITIALISED);
  CHECK(cp.count(Command::GetChallenge, before) == 0);
}

TEST_CASE("a missing chip is an error, and no bytes are handed out", "[trng]") {
  TempDir dir;
  LoadedProvider provider("sim:" + dir.file("missing.state"));
  RandCtxPtr trng = new_trng(provider.get());
  REQUIRE(EVP_RAND_instantiate(trng.get(), 256, 0, nullptr, 0, nullptr) == 1);
  Bytes out(64, 0xEE);
  CHECK(EVP_RAND_generate(trng.get(), out.data(), out.size(), 256, 0, nullptr, 0) != 1);
  CHECK(all_zero(out));
  CHECK_THAT(drain_errors(), Catch::Contains("missing.state"));
}

TEST_CASE("a DRBG takes its seed from the TRNG (get_seed/clear_seed)", "[trng]") {
  ChipAndProvider cp;
  RandCtxPtr trng = new_trng(cp.ctx());
  REQUIRE(EVP_RAND_enable_locking(trng.get()) == 1);
  REQUIRE(EVP_RAND_instantiate(trng.get(), 256, 0, nullptr, 0, nullptr) == 1);
  RandPtr ctr(EVP_RAND_fetch(cp.ctx(), "CTR-DRBG", "provider=default"));
  REQUIRE(ctr);
  RandCtxPtr drbg(EVP_RAND_CTX_new(ctr.get(), trng.get()));
  REQUIRE(drbg);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER, const_cast<char*>("AES-256-CTR"), 0),
      OSSL_PARAM_construct_end(),
  };
  REQUIRE(EVP_RAND_CTX_set_params(drbg.get(), params) == 1);

  auto before = cp.counters();
  INFO(drain_errors());
  REQUIRE(EVP_RAND_instantiate(drbg.get(), 256, 0, nullptr, 0, nullptr) == 1);
  uint64_t seeded = cp.count(Command::GetChallenge, before);
  CHECK(seeded >= 1);
  Bytes out(64);
  REQUIRE(EVP_RAND_generate(drbg.get(), out.data(), out.size(), 256, 0, nullptr, 0) == 1);
  CHECK(cp.count(Command::GetChallenge, before) == seeded);  // the DRBG makes these itself
  // Prediction resistance asks the seed source again.
  REQUIRE(EVP_RAND_generate(drbg.get(), out.data(), out.size(), 256, 1, nullptr, 0) == 1);
  CHECK(cp.count(Command::GetChallenge, before) > seeded);
}

TEST_CASE("[random] seed = MAXQ1061-TRNG seeds the library context's DRBGs", "[trng]") {
  maxq::testing::TempChip chip;
  std::string cnf = chip.dir.file("openssl.cnf");
  std::ofstream(cnf) << "openssl_conf = init\n"
                        "[init]\nproviders = providers\nrandom = random\n"
                        "[providers]\ndefault = default_sect\nmaxq1061 = maxq1061_sect\n"
                        "[default_sect]\nactivate = 1\n"
                        "[maxq1061_sect]\nmodule = " MAXQ_MODULE_DIR
                        "/maxq1061.so\n"
                        "device = sim:"
                     << chip.state << "\nactivate = 1\n[random]\nseed = MAXQ1061-TRNG\n";
  maxq::testing::LibCtxPtr ctx(OSSL_LIB_CTX_new());
  REQUIRE(ctx);
  INFO(drain_errors());
  REQUIRE(OSSL_LIB_CTX_load_config(ctx.get(), cnf.c_str()) == 1);
  auto counters = [&] { return maxq::sim::Counters::read_file(chip.state + ".counters"); };
  auto before = counters();
  unsigned char out[32];
  REQUIRE(RAND_bytes_ex(ctx.get(), out, sizeof out, 256) == 1);
  CHECK((counters() - before).count(static_cast<uint8_t>(Command::GetChallenge)) >= 1);
  // The DRBG is OpenSSL's; the chip only seeds it.
  EVP_RAND_CTX* primary = RAND_get0_primary(ctx.get());
  REQUIRE(primary);
  CHECK(std::string(EVP_RAND_get0_name(EVP_RAND_CTX_get0_rand(primary))) == "CTR-DRBG");
}
