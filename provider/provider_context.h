// The provider context: configuration, the library contexts and the lazily
// opened device session. This is the only mutable state of the provider; every
// callback reaches it through the provctx pointer. Constructing it does no
// device I/O, reads no file and makes no library context: what a process never
// uses it never pays for (issue 16).
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/crypto.h>
#include <openssl/provider.h>
#include <openssl/types.h>

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "provider/curve_groups.h"
#include "provider/process_mutex.h"
#include "provider/provider_config.h"
#include "provider/software_context.h"
#include "provider/temporary_key_slots.h"
#include "transport/credential_key.h"
#include "transport/device.h"
#include "wire/protocol.h"

namespace maxq::provider {

inline constexpr const char* kProviderName = "maxq1061";
inline constexpr const char* kPropertyQuery = "provider=maxq1061";

using wire::ChipSerial;  // the one serial type, wire/protocol.h

// Core upcalls the provider uses (errors, BIOs for the encoder and decoder).
struct CoreFunctions {
  OSSL_FUNC_core_new_error_fn* new_error = nullptr;
  OSSL_FUNC_core_set_error_debug_fn* set_error_debug = nullptr;
  OSSL_FUNC_core_vset_error_fn* vset_error = nullptr;
  OSSL_FUNC_BIO_read_ex_fn* bio_read_ex = nullptr;
  OSSL_FUNC_BIO_write_ex_fn* bio_write_ex = nullptr;
  OSSL_FUNC_core_get_libctx_fn* get_libctx = nullptr;
};

class ProviderContext {
 public:
  // Keeps the configuration; opens nothing (see software_libctx, device).
  ProviderContext(const OSSL_CORE_HANDLE* handle, CoreFunctions core, ProviderConfig config);
  ~ProviderContext();
  ProviderContext(const ProviderContext&) = delete;
  ProviderContext& operator=(const ProviderContext&) = delete;

  const OSSL_CORE_HANDLE* handle() const { return handle_; }
  const CoreFunctions& core() const { return core_; }
  const ProviderConfig& config() const { return config_; }

  // Library context for public-key work in software (verification, digests,
  // peer keys, software key pairs): OpenSSL's default provider only, so nothing
  // fetched there can call back into this provider. Made at the first call;
  // throws std::runtime_error when OpenSSL cannot make it (never null).
  OSSL_LIB_CTX* software_libctx() const { return software_.get().libctx(); }
  // The library context of the application that loaded the provider (nullptr
  // is OpenSSL's default one); nullopt when the core does not say. Digests
  // for signatures come from it, as in OpenSSL's own ECDSA (this provider has
  // none, so no fetch there comes back here), and the Device checks chip
  // signatures there with OpenSSL's default provider (signature_check.h).
  std::optional<OSSL_LIB_CTX*> application_libctx() const;
  // EC groups in the software context, for cheap point checks (thread-safe).
  CurveGroups& curve_groups() { return software_.get().curve_groups(); }

  // The device, opened at first use (and again in a forked child). Throws
  // transport::Error with a message naming the device.
  transport::Device& device();
  // Serial of the chip; read once when the device is opened.
  ChipSerial chip_serial();
  // Runs `body` with the chip's admin condition (needed to create or delete
  // persistent objects): challenge, login with the admin key, `body`, admin
  // reset. Throws transport::ConfigError when no admin key is available.
  template <class Fn>
  void as_admin(Fn&& body) {
    const transport::CredentialKey& key = credential(transport::CredentialKey::Kind::Admin);
    device().as_admin(key, std::forward<Fn>(body));
  }
  // The key-import key that signs every key generation and import (loaded
  // once). Throws transport::ConfigError naming the setting when missing.
  const transport::CredentialKey& key_import_key() {
    return credential(transport::CredentialKey::Kind::KeyImport);
  }

  // A temporary key-pair slot for an ephemeral key on `curve` (see
  // temporary_key_slots.h), or nullptr when all slots are busy.
  std::shared_ptr<TemporaryKeySlots::Lease> lease_temporary_slot(wire::Curve curve);

  // Debug trace to stderr when MAXQ1061_DEBUG is set. Never stdout.
  void trace(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));

 private:
  struct Session;
  Session& session_locked();
  const transport::CredentialKey& credential(transport::CredentialKey::Kind kind);
  std::unique_ptr<Session> open_session();

  const OSSL_CORE_HANDLE* handle_;
  CoreFunctions core_;
  ProviderConfig config_;
  // Freed after the session (declaration order is teardown order in reverse).
  mutable LazySoftwareContext software_;
  // Guards session_; a forked child gets a fresh one (process_mutex.h), so a
  // fork while another thread opens the device cannot leave it held.
  ProcessMutex mutex_;
  std::unique_ptr<Session> session_;
};

}  // namespace maxq::provider
