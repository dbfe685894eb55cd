// The in-process TLS fixture of the handshake tests and the benchmark: library
// contexts with the provider loaded for a given chip, keys (in software or on a chip), certificates
// from a throwaway CA, and SSL_CTXs configured for full handshakes without resumption.
#pragma once

#include <openssl/provider.h>
#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <utility>

#include "wire/openssl_handles.h"

namespace maxq::tls_fixture {

using ossl::LibCtxPtr;
using ossl::PkeyPtr;
using ossl::X509Ptr;
using SslCtxPtr = std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, ossl::Deleter<SSL_free>>;

struct ChipConfig {
  ChipConfig(std::string state, bool full = false, std::string device_string = {})
      : state_path(std::move(state)), full_offload(full), device(std::move(device_string)) {}
  std::string state_path;     // simulated chip; provisioned if missing
  bool full_offload = false;  // default_properties ?provider=maxq1061 + chip seed source
  std::string device;         // the provider's device string; empty: sim:state_path
};

// A library context: plain (default provider only) or with the provider loaded
// through a generated openssl.cnf naming the chip. MAXQ1061_DEVICE, when set,
// overrides that config's device (the provider's rule): callers unset it.
class LibraryContext {
 public:
  static LibraryContext software();
  static LibraryContext with_chip(const std::string& module_dir, const std::string& work_dir,
                                  const ChipConfig& chip);
  OSSL_LIB_CTX* get() const { return ctx_.get(); }
  const std::string& chip_state() const { return chip_state_; }

 private:
  LibCtxPtr ctx_;
  // The software context's default provider; unloaded before ctx_ is freed.
  ossl::ProviderPtr default_;
  std::string chip_state_;
};

struct Identity {
  PkeyPtr key;
  X509Ptr cert;
};

class TestCa {
 public:
  explicit TestCa(OSSL_LIB_CTX* software);
  // A certificate for `key` (software or chip key) with CN `cn`, signed by the CA.
  X509Ptr issue(EVP_PKEY* key, const std::string& cn) const;
  X509* cert() const { return cert_.get(); }

 private:
  OSSL_LIB_CTX* software_;
  PkeyPtr key_;
  X509Ptr cert_;
};

// Key generated in `ctx`: on the chip when `on_chip` (object `id`), else by the
// default provider.
PkeyPtr make_key(const LibraryContext& ctx, const std::string& curve, bool on_chip, int id);

// TLS context for one side; version 12 or 13; groups the curve only.
SslCtxPtr make_ssl_ctx(const LibraryContext& ctx, bool server, int version,
                       const std::string& curve, const Identity& id, const TestCa& ca);

// One full handshake over a BIO pair; throws std::runtime_error with OpenSSL's
// error queue on failure.
void run_handshake(SSL_CTX* client, SSL_CTX* server);

std::string openssl_errors();

}  // namespace maxq::tls_fixture
