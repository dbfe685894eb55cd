#include "provider/provider_config.h"

#include <openssl/params.h>

#include <cstdlib>

#include "transport/errors.h"

namespace maxq::provider {
namespace {

constexpr const char kSimPrefix[] = "sim:";

std::optional<std::string> non_empty(const char* v) {
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

const std::optional<std::string>& first_set(const std::optional<std::string>& a,
                                            const std::optional<std::string>& b) {
  return a && !a->empty() ? a : b;
}

std::optional<transport::SignatureChecking> parse_signature_checking(const std::string& v) {
  if (v == "always") return transport::SignatureChecking::Always;
  if (v == "after-damage") return transport::SignatureChecking::AfterDamage;
  if (v == "never") return transport::SignatureChecking::Never;
  return std::nullopt;
}

}  // namespace

const char* const kNoDeviceMessage =
    "no MAXQ1061 device is configured: set device in the maxq1061 provider's section of "
    "openssl.cnf (or the environment variable MAXQ1061_DEVICE) to ftdi:DESC, broker:PATH, "
    "unix:PATH or sim:PATH; for a simulated chip, make one with `maxq1061-tool init --device "
    "sim:PATH` and set device = sim:PATH";

ProviderConfig resolve_config(const ConfigSettings& environment,
                              const ConfigSettings& config_file) {
  ProviderConfig c;
  const auto& device = first_set(environment.device, config_file.device);
  if (device && !device->empty()) c.device = *device;
  // A simulated chip keeps its credentials beside its state file: the path
  // up to its options (a sim: path cannot hold a comma; simulated_links/
  // sim_link_options.h). A malformed device string, or sim: in a build
  // without the simulator, gets its own error when the device is opened.
  std::string sim_state;
  if (c.device.rfind(kSimPrefix, 0) == 0) {
    std::string rest = c.device.substr(sizeof kSimPrefix - 1);
    sim_state = rest.substr(0, rest.find(','));
  }
  auto credential = [&](const std::optional<std::string>& env,
                        const std::optional<std::string>& file, const char* suffix) {
    const auto& set = first_set(env, file);
    if (set && !set->empty()) return *set;
    return sim_state.empty() ? std::string() : sim_state + suffix;
  };
  c.admin_key = credential(environment.admin_key, config_file.admin_key, ".admin.pem");
  c.key_import_key =
      credential(environment.key_import_key, config_file.key_import_key, ".key-import.pem");
  const auto& debug = first_set(environment.debug, config_file.debug);
  c.debug = debug && !debug->empty() && *debug != "0";
  if (config_file.verify_signatures && !config_file.verify_signatures->empty()) {
    if (auto v = parse_signature_checking(*config_file.verify_signatures))
      c.verify_signatures = *v;
    else
      c.error = "config key verify-signatures: '" + *config_file.verify_signatures +
                "' is not one of always, after-damage, never; fix the provider's section of "
                "openssl.cnf";
  }
  return c;
}

ConfigSettings read_config_section(const OSSL_CORE_HANDLE* handle,
                                   OSSL_FUNC_core_get_params_fn* core_get_params) {
  ConfigSettings s;
  if (core_get_params == nullptr) return s;
  // The core answers with pointers into its own copy of the config section.
  char* device = nullptr;
  char* admin_key = nullptr;
  char* key_import_key = nullptr;
  char* verify_signatures = nullptr;
  OSSL_PARAM params[] = {
      OSSL_PARAM_utf8_ptr("device", &device, 0),
      OSSL_PARAM_utf8_ptr("admin-key", &admin_key, 0),
      OSSL_PARAM_utf8_ptr("key-import-key", &key_import_key, 0),
      OSSL_PARAM_utf8_ptr("verify-signatures", &verify_signatures, 0),
      OSSL_PARAM_END,
  };
  if (!core_get_params(handle, params)) return s;
  s.device = non_empty(device);
  s.admin_key = non_empty(admin_key);
  s.key_import_key = non_empty(key_import_key);
  s.verify_signatures = non_empty(verify_signatures);
  return s;
}

ConfigSettings read_environment() {
  ConfigSettings s;
  s.device = non_empty(secure_getenv("MAXQ1061_DEVICE"));
  s.admin_key = non_empty(secure_getenv("MAXQ1061_ADMIN_KEY"));
  s.key_import_key = non_empty(secure_getenv("MAXQ1061_KEY_IMPORT_KEY"));
  s.debug = non_empty(secure_getenv("MAXQ1061_DEBUG"));
  return s;
}

}  // namespace maxq::provider
