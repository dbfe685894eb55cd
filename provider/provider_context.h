// The provider context: configuration, the two library contexts and the lazily
// opened device. This is the only mutable state of the provider; everything
// else reaches it through the provctx pointer OpenSSL hands to each callback.
#pragma once

#include <openssl/core.h>
#include <openssl/types.h>

#include <array>
#include <memory>
#include <mutex>
#include <string>

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

class ProviderContext {
 public:
  ProviderContext(const OSSL_CORE_HANDLE* handle, const OSSL_DISPATCH* in, ProviderConfig config);
  ~ProviderContext();

  const OSSL_CORE_HANDLE* handle() const { return handle_; }
  // Child library context of the application's: for OSSL_PARAM/decoder plumbing.
  OSSL_LIB_CTX* libctx() const { return libctx_; }
  // Library context for public-key work in software: a child whose default
  // properties exclude this provider, so nothing fetched there calls back here.
  OSSL_LIB_CTX* software_libctx() const { return software_libctx_; }
  const ProviderConfig& config() const { return config_; }

  // The device, opened at first use (and again in a forked child). Throws
  // transport::Error with a message naming the device.
  transport::Device& device();
  // Serial of the chip; read once when the device is opened.
  ChipSerial chip_serial();
  // Makes sure the current device session holds the admin role (needed to create
  // or delete persistent objects): loads the admin key and authenticates once per
  // session. Throws transport::ConfigError when no admin key is available.
  void ensure_admin();

  // Debug trace to stderr when MAXQ1061_DEBUG is set. Never stdout.
  void trace(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));

  // OpenSSL core upcalls used for errors (see provider_errors.h).
  const OSSL_DISPATCH* core_dispatch() const { return core_in_; }

 private:
  struct Session;
  Session& session_locked();

  const OSSL_CORE_HANDLE* handle_;
  const OSSL_DISPATCH* core_in_;
  OSSL_LIB_CTX* libctx_ = nullptr;
  OSSL_LIB_CTX* software_libctx_ = nullptr;
  ProviderConfig config_;
  std::mutex mutex_;
  std::unique_ptr<Session> session_;
};

}  // namespace maxq::provider
