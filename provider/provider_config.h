// Where the provider finds its chip and its two credentials (admin key,
// key-import key): the environment overrides
// the provider's section of openssl.cnf, which overrides the defaults. Reading
// the configuration never touches the device.
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include <optional>
#include <string>

#include "transport/device.h"

namespace maxq::provider {

struct ProviderConfig {
  std::string device;     // MAXQ1061_DEVICE, else config key "device"; empty: none (fail closed)
  std::string admin_key;  // MAXQ1061_ADMIN_KEY, else "admin-key", else sim PATH.admin.pem
  // MAXQ1061_KEY_IMPORT_KEY, else "key-import-key", else sim PATH.key-import.pem
  std::string key_import_key;
  bool debug = false;  // MAXQ1061_DEBUG
  // Config key "verify-signatures": always | after-damage (default) | never.
  transport::SignatureChecking verify_signatures = transport::SignatureChecking::AfterDamage;
  // A setting the provider does not understand. The provider still loads
  // (OpenSSL 3.0 drops the errors of a provider that fails to load from
  // openssl.cnf, leaving only "unregistered scheme"); opening the device
  // reports this instead.
  std::string error;
};

// One source of settings; unset (or empty) values fall through to the next.
struct ConfigSettings {
  std::optional<std::string> device;
  std::optional<std::string> admin_key;
  std::optional<std::string> key_import_key;
  std::optional<std::string> debug;
  std::optional<std::string> verify_signatures;  // config file only
};

// Applies the precedence environment > config file > defaults. There is no
// default device: without one, every chip operation fails (no_device_message).
ProviderConfig resolve_config(const ConfigSettings& environment, const ConfigSettings& config_file);

// The error of every chip operation when no device is configured: a typo in
// a server's provider section must not quietly turn a hardware identity into
// a software one.
extern const char* const kNoDeviceMessage;

// The provider's config section through the core's get_params upcall (keys
// "device", "admin-key", "key-import-key" and "verify-signatures"); a null
// upcall yields no settings.
ConfigSettings read_config_section(const OSSL_CORE_HANDLE* handle,
                                   OSSL_FUNC_core_get_params_fn* core_get_params);

// MAXQ1061_DEVICE, MAXQ1061_ADMIN_KEY, MAXQ1061_KEY_IMPORT_KEY, MAXQ1061_DEBUG
// (with secure_getenv: ignored in setuid programs).
ConfigSettings read_environment();

}  // namespace maxq::provider
