// Test support for the provider I/O tests: maxq1061.so from the build tree
// (MAXQ_MODULE_DIR) loaded into a library context of the test's own, with
// MAXQ1061_DEVICE naming a simulated chip provisioned in a temp dir, plus the
// chip's command counters and OpenSSL's error queue as text.
#pragma once

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <stdlib.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "simulator/counters.h"
#include "test/support/temp_chip.h"
#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::testing {

using maxq::ossl::LibCtxPtr;
using maxq::ossl::PkeyPtr;

// Sets an environment variable for its lifetime, then restores the old value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Everything on this thread's error queue, one error per line; clears it.
inline std::string drain_errors() {
  std::string out;
  const char* data = nullptr;
  int flags = 0;
  unsigned long e;
  while ((e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += buf;
    if (data != nullptr && (flags & ERR_TXT_STRING)) out += std::string(": ") + data;
    out += "\n";
  }
  return out;
}

// A library context with the default provider and maxq1061.so on `device`
// (read by the provider when it loads). Unloads both, then frees the context.
class LoadedProvider {
 public:
  explicit LoadedProvider(const std::string& device) : ctx_(OSSL_LIB_CTX_new()) {
    ScopedEnv env("MAXQ1061_DEVICE", device);
    if (!ctx_ || OSSL_PROVIDER_set_default_search_path(ctx_.get(), MAXQ_MODULE_DIR) != 1)
      throw std::runtime_error("cannot make a library context");
    default_ = OSSL_PROVIDER_load(ctx_.get(), "default");
    maxq_ = OSSL_PROVIDER_load(ctx_.get(), "maxq1061");
    if (default_ == nullptr || maxq_ == nullptr)
      throw std::runtime_error("cannot load the providers: " + drain_errors());
  }
  ~LoadedProvider() {
    OSSL_PROVIDER_unload(maxq_);
    OSSL_PROVIDER_unload(default_);
  }
  LoadedProvider(const LoadedProvider&) = delete;
  LoadedProvider& operator=(const LoadedProvider&) = delete;
  OSSL_LIB_CTX* get() const { return ctx_.get(); }

 private:
  LibCtxPtr ctx_;
  OSSL_PROVIDER* default_ = nullptr;
  OSSL_PROVIDER* maxq_ = nullptr;
};

// A fresh chip and a library context with the provider on it.
struct ChipAndProvider {
  TempChip chip;
  LoadedProvider provider{"sim:" + chip.state};

  OSSL_LIB_CTX* ctx() const { return provider.get(); }
  sim::CounterSnapshot counters() const {
    return sim::Counters::read_file(chip.state + ".counters");
  }
  uint64_t count(wire::Command c, const sim::CounterSnapshot& before) const {
    return (counters() - before).count(static_cast<uint8_t>(c));
  }
  // A persistent P-256 (or other) key pair generated on the chip with the
  // admin role, as the provisioning tool does; returns its X || Y.
  Bytes make_chip_key(uint16_t id, wire::Curve curve = wire::Curve::P256) const {
    auto dev = chip.open_device();
    return chip.make_key(*dev, id, curve).xy;
  }
};

}  // namespace maxq::testing
