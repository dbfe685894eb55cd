// Command-line plumbing of maxq1061-tool: options, the device session, exit
// codes and the table of subcommands.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transport/device.h"
#include "wire/protocol.h"

namespace maxq::tool {

// Exit codes scripts can rely on.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,  // the chip refused or the operation failed
  kExitUsage = 2,   // bad command line
  kExitDevice = 3,  // device, state file or admin key unusable
};

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

// Resolved configuration and the lazily opened device.
class ToolContext {
 public:
  ToolContext(std::string device, std::string admin_key, bool json);
  const std::string& device_string() const { return device_; }
  // Admin key path: --admin-key, MAXQ1061_ADMIN_KEY, else PATH.admin.pem for sim devices.
  std::string admin_key_path() const;
  bool json() const { return json_; }
  transport::Device& device();
  // Authenticates the session with the admin key (for create/delete).
  void authenticate_admin();

 private:
  std::string device_;
  std::string admin_key_;
  bool json_;
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
uint16_t parse_object_id(const std::string& text);  // "0x0101" or "257"; throws UsageError
wire::CurveInfo parse_curve(const std::string& text);  // throws UsageError
std::string format_id(uint16_t id);                 // "0x0101"
std::string object_type_name(wire::ObjectType t);
std::string lifecycle_name(wire::Lifecycle l);
std::string read_file(const std::string& path);     // throws std::runtime_error naming the file

}  // namespace maxq::tool
