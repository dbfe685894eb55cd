// Command-line plumbing of maxq1061-tool: options, the device session, exit
// codes and the table of subcommands.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "simulated_links/simulated_links.h"
#include "transport/credential_key.h"
#include "transport/device.h"
#include "transport/device_spec.h"
#include "wire/protocol.h"

namespace maxq::tool {

// Exit codes scripts can rely on.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,  // the chip refused or the operation failed
  kExitUsage = 2,   // bad command line
  kExitDevice = 3,  // device, state file or credential (admin / key-import key) unusable
};

// An error that carries the exit code the tool ends with.
class ToolError : public std::runtime_error {
 public:
  ToolError(int exit_code, const std::string& message)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};
// The exit code for anything a subcommand throws (chip refusal 1, unusable
// device or credential 3, ...).
int exit_code_for(const std::exception& e);

// A usage error: printed with the subcommand's usage, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  const char* name;  // without the leading "--"
  bool takes_value;
  const char* help;
};

struct Args {
  std::map<std::string, std::string> values;  // option -> value ("" for flags)
  std::vector<std::string> positional;
  bool has(const std::string& name) const { return values.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::string require(const std::string& name) const;
};

// Resolved configuration, the two credentials and the lazily opened device.
class ToolContext {
 public:
  ToolContext(std::string device, std::string admin_key, std::string key_import_key, bool json);
  const std::string& device_string() const { return device_; }
  // The tool understands every device string: the hardware links and the
  // simulated chips (simulated_links/).
  transport::DeviceSpec device_spec() const { return simulated_links::all_links().parse(device_); }
  // --admin-key, else MAXQ1061_ADMIN_KEY, else PATH.admin.pem for sim:PATH; "" when none.
  std::string admin_key_path() const;
  // --key-import-key, else MAXQ1061_KEY_IMPORT_KEY, else PATH.key-import.pem
  // for sim:PATH; "" when none.
  std::string key_import_key_path() const;
  // The credentials, loaded once. A missing or unusable file is a ToolError
  // (exit 3) naming the file, the option, the environment variable and the
  // provider's config key. `what` names the operation that needs it.
  const transport::CredentialKey& admin_key(const std::string& what);
  const transport::CredentialKey& key_import_key(const std::string& what);
  bool json() const { return json_; }
  transport::Device& device();

  // Runs `body` in an admin session (challenge, login, body, admin reset). A
  // login the chip refuses is a ToolError naming the admin key; a signed
  // import the chip refuses for its signature, one naming the key-import key.
  template <class Fn>
  void as_admin(const std::string& what, Fn&& body) {
    const transport::CredentialKey& key = admin_key(what);
    try {
      device().as_admin(key, std::forward<Fn>(body));
    } catch (const transport::ChipError& e) {
      explain_credential_refusal(e);
      throw;
    }
  }
  // Throws a ToolError when `e` is the chip refusing a credential.
  void explain_credential_refusal(const transport::ChipError& e) const;

 private:
  const transport::CredentialKey& load_credential(std::optional<transport::CredentialKey>& slot,
                                                  transport::CredentialKey::Kind kind,
                                                  const std::string& path, const std::string& what);
  std::string device_;
  std::string admin_key_;
  std::string key_import_key_;
  bool json_;
  std::optional<transport::CredentialKey> admin_;
  std::optional<transport::CredentialKey> key_import_;
  std::unique_ptr<transport::Device> dev_;
};

struct ToolCommand {
  const char* name;
  const char* summary;
  const char* usage;  // after "maxq1061-tool NAME "
  std::vector<OptionSpec> options;
  int (*run)(ToolContext&, const Args&);
};

// All subcommands, in help order.
const std::vector<ToolCommand>& tool_commands();

// Shared parsing of values.
// "0x0101" (hex) or "257" (decimal), the rule of wire/object_id.h: "0101"
// (ambiguous), 0 and over 0xFFFF are refused, and with `for_new_object` the
// reserved ids too; throws UsageError saying what is allowed.
uint16_t parse_object_id(const std::string& text, bool for_new_object = false);
wire::CurveInfo parse_curve(const std::string& text);  // throws UsageError
std::string format_id(uint16_t id);                    // "0x0101"
std::string object_type_name(wire::ObjectType t);
std::string lifecycle_name(wire::Lifecycle l);
std::string read_file(const std::string& path);  // throws std::runtime_error naming the file
// Throws UsageError unless a file can be written at `path` (checked before the
// chip is touched, so an operation does not fail after it changed the chip).
void check_writable(const std::string& path, const std::string& option);
// secure_getenv, "" when unset.
std::string env(const char* name);

}  // namespace maxq::tool
