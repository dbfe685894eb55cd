// Shared by the provider tests: the provider loaded from the build tree into
// library contexts, simulated chips and their counters, small EVP helpers.
#pragma once

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
#include <string>
#include <thread>
#include <vector>

#include "provider/tls_group_capabilities.h"
#include "simulator/counters.h"
#include "test/support/temp_chip.h"
#include "test/support/tls_fixture.h"
#include "wire/openssl_handles.h"

namespace maxq::provider_test {

using namespace maxq::tls_fixture;

inline constexpr uint8_t kSign = static_cast<uint8_t>(wire::Command::SignVerify);
inline constexpr uint8_t kGenerate = static_cast<uint8_t>(wire::Command::ImportKey);
inline constexpr uint8_t kExchange = static_cast<uint8_t>(wire::Command::KeyExchange);
inline constexpr uint8_t kCreate = static_cast<uint8_t>(wire::Command::CreateObject);
inline constexpr uint8_t kRead = static_cast<uint8_t>(wire::Command::ReadObject);

using ossl::BioPtr;
using ossl::MdCtxPtr;
using ossl::PkeyCtxPtr;

inline sim::CounterSnapshot counters(const std::string& state) {
  return sim::Counters::read_file(state + ".counters");
}

// A library context with the provider loaded through a config naming `device`
// (and `admin_key` when given); no chip is provisioned here.
inline LibCtxPtr load_with_config(const std::string& dir, const std::string& device,
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

// An ephemeral key: what libssl's key share generation asks for (only the
// group, by the internal name of the provider's TLS groups).
inline PkeyPtr ephemeral_key(OSSL_LIB_CTX* ctx, const char* group) {
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx, "EC", "provider=maxq1061"));
  REQUIRE(pctx);
  REQUIRE(EVP_PKEY_keygen_init(pctx.get()) == 1);
  std::string name = std::string(maxq::provider::kTlsKeyShareGroupPrefix) + group;
  REQUIRE(EVP_PKEY_CTX_set_group_name(pctx.get(), name.c_str()) == 1);
  EVP_PKEY* key = nullptr;
  INFO(openssl_errors());
  REQUIRE(EVP_PKEY_keygen(pctx.get(), &key) == 1);
  return PkeyPtr(key);
}

inline Bytes derive(OSSL_LIB_CTX* ctx, EVP_PKEY* key, EVP_PKEY* peer) {
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
inline PkeyPtr software_public(OSSL_LIB_CTX* ctx, EVP_PKEY* key) {
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

inline OSSL_PROVIDER* find_provider(OSSL_LIB_CTX* ctx, const char* name) {
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

inline int count_tls_groups(const OSSL_PARAM params[], void* arg) {
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
  const char* name = nullptr;
  if (p != nullptr && OSSL_PARAM_get_utf8_string_ptr(p, &name))
    static_cast<std::vector<std::string>*>(arg)->push_back(name);
  return 1;
}

inline std::string encode_pem(EVP_PKEY* key) {
  ossl::EncoderCtxPtr enc(OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM",
                                                        "PrivateKeyInfo", "provider=maxq1061"));
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

}  // namespace maxq::provider_test
