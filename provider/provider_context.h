// The provider context: configuration, the software library context and the
// lazily opened device session. This is the only mutable state of the
// provider; every callback reaches it through the provctx pointer.
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/types.h>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "transport/device.h"
#include "wire/protocol.h"

namespace maxq::provider {

inline constexpr const char* kProviderName = "maxq1061";
inline constexpr const char* kPropertyQuery = "provider=maxq1061";

struct ProviderConfig {
  std::string device;     // MAXQ1061_DEVICE, else config key "device", else default sim
  std::string admin_key;  // MAXQ1061_ADMIN_KEY, else "admin-key", else sim PATH.admin.pem
  bool default_device = false;  // no device configured: sim at the default path, auto-provisioned
  bool debug = false;           // MAXQ1061_DEBUG
};

using ChipSerial = std::array<uint8_t, wire::kSerialBytes>;

// Core upcalls the provider uses (errors, BIOs for the encoder and decoder).
struct CoreFunctions {
  OSSL_FUNC_core_new_error_fn* new_error = nullptr;
  OSSL_FUNC_core_set_error_debug_fn* set_error_debug = nullptr;
  OSSL_FUNC_core_vset_error_fn* vset_error = nullptr;
  OSSL_FUNC_BIO_read_ex_fn* bio_read_ex = nullptr;
  OSSL_FUNC_BIO_write_ex_fn* bio_write_ex = nullptr;
};

class ProviderContext {
 public:
  ProviderContext(const OSSL_CORE_HANDLE* handle, CoreFunctions core, ProviderConfig config);
  ~ProviderContext();
  ProviderContext(const ProviderContext&) = delete;
  ProviderContext& operator=(const ProviderContext&) = delete;

  const OSSL_CORE_HANDLE* handle() const { return handle_; }
  const CoreFunctions& core() const { return core_; }
  const ProviderConfig& config() const { return config_; }

  // Library context for public-key work in software (verification, digests,
  // peer keys): a private context with only OpenSSL's default provider, so
  // nothing fetched there can call back into this provider. Created on first use.
  OSSL_LIB_CTX* software_libctx();

  // The device, opened at first use (and again in a forked child). Throws
  // transport::Error with a message naming the device.
  transport::Device& device();
  // Serial of the chip; read once when the device is opened.
  ChipSerial chip_serial();
  // Makes sure the current device session holds the admin role (needed to create
  // or delete persistent objects). Throws transport::ConfigError without a key.
  void ensure_admin();

  // A temporary key-pair slot for an ephemeral key on `curve`, created on the
  // chip the first time it is needed and reused afterwards. Throws when all
  // slots are in use.
  uint16_t acquire_temporary_slot(wire::Curve curve);
  void release_temporary_slot(uint16_t id);

  // Debug trace to stderr when MAXQ1061_DEBUG is set. Never stdout.
  void trace(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));

 private:
  struct Session;
  Session& session_locked();

  const OSSL_CORE_HANDLE* handle_;
  CoreFunctions core_;
  ProviderConfig config_;
  std::mutex mutex_;
  std::unique_ptr<Session> session_;
  std::once_flag software_once_;
  OSSL_LIB_CTX* software_libctx_ = nullptr;
  OSSL_PROVIDER* software_default_ = nullptr;
};

}  // namespace maxq::provider
