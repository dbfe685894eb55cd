#include "tools/tool_cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "transport/errors.h"
#include "wire/object_id.h"
#include "wire/protocol.h"

namespace maxq::tool {

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() ? fallback : it->second;
}

std::string Args::require(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty())
    throw UsageError("missing required option --" + name);
  return it->second;
}

int exit_code_for(const std::exception& e) {
  if (auto* t = dynamic_cast<const ToolError*>(&e)) return t->exit_code();
  if (dynamic_cast<const UsageError*>(&e)) return kExitUsage;
  if (dynamic_cast<const transport::ChipError*>(&e)) return kExitFailed;
  if (dynamic_cast<const transport::ConfigError*>(&e) ||
      dynamic_cast<const transport::LinkError*>(&e))
    return kExitDevice;
  return kExitFailed;
}

std::string env(const char* name) {
  const char* v = secure_getenv(name);
  return v ? v : "";
}

namespace {

using Kind = transport::CredentialKey::Kind;

// How a user names each credential, for messages.
struct CredentialNames {
  const char* what;    // "admin key"
  uint16_t object;     // the chip object holding its public half
  const char* role;    // what the chip checks with it
  const char* option;  // tool option
  const char* env;     // environment variable
  const char* config;  // provider config key
  const char* suffix;  // beside a simulated chip's state file
};
CredentialNames names_of(Kind kind) {
  if (kind == Kind::Admin)
    return {"admin key",
            wire::kAdminKeyId,
            "signs the admin login that creating and deleting objects needs",
            "--admin-key",
            "MAXQ1061_ADMIN_KEY",
            "admin-key",
            ".admin.pem"};
  return {"key-import key",
          wire::kKeyImportKeyId,
          "signs every key generation and certificate import",
          "--key-import-key",
          "MAXQ1061_KEY_IMPORT_KEY",
          "key-import-key",
          ".key-import.pem"};
}

std::string how_to_name(const CredentialNames& n) {
  return std::string("pass ") + n.option + " FILE or set " + n.env +
         " (the provider's config key is " + n.config +
         "; a simulated chip made by "
         "'maxq1061-tool init' keeps it beside its state file as PATH" +
         n.suffix + ")";
}

std::string credential_path(const std::string& given, const char* env_name,
                            const std::string& device, const char* suffix) {
  if (!given.empty()) return given;
  if (std::string e = env(env_name); !e.empty()) return e;
  transport::DeviceSpec spec = simulated_links::all_links().parse(device);
  if (spec.scheme == "sim") return spec.target + suffix;
  return "";
}

}  // namespace

ToolContext::ToolContext(std::string device, std::string admin_key, std::string key_import_key,
                         bool json)
    : device_(std::move(device)),
      admin_key_(std::move(admin_key)),
      key_import_key_(std::move(key_import_key)),
      json_(json) {}

std::string ToolContext::admin_key_path() const {
  return credential_path(admin_key_, "MAXQ1061_ADMIN_KEY", device_, ".admin.pem");
}

std::string ToolContext::key_import_key_path() const {
  return credential_path(key_import_key_, "MAXQ1061_KEY_IMPORT_KEY", device_, ".key-import.pem");
}

const transport::CredentialKey& ToolContext::load_credential(
    std::optional<transport::CredentialKey>& slot, Kind kind, const std::string& path,
    const std::string& what) {
  if (slot) return *slot;
  CredentialNames n = names_of(kind);
  std::string intro = what + " needs the " + n.what + " (the private half of object " +
                      format_id(n.object) + "; it " + n.role + ")";
  if (path.empty()) throw ToolError(kExitDevice, intro + ": " + how_to_name(n));
  try {
    slot.emplace(transport::CredentialKey::load(path, kind));
  } catch (const transport::ConfigError& e) {
    // CredentialKey names the file and what is wrong with it; add the tool's option.
    throw ToolError(kExitDevice,
                    intro + ": " + e.what() + " (maxq1061-tool: " + n.option + " FILE)");
  }
  return *slot;
}

const transport::CredentialKey& ToolContext::admin_key(const std::string& what) {
  return load_credential(admin_, Kind::Admin, admin_key_path(), what);
}

const transport::CredentialKey& ToolContext::key_import_key(const std::string& what) {
  return load_credential(key_import_, Kind::KeyImport, key_import_key_path(), what);
}

void ToolContext::explain_credential_refusal(const transport::ChipError& e) const {
  auto cmd = static_cast<wire::Command>(e.command());
  auto status = static_cast<wire::Status>(e.status());
  bool signature_refused = status == wire::Status::BadSignature ||
                           status == wire::Status::AccessDenied ||
                           status == wire::Status::AccessDeniedAlt;
  if (cmd == wire::Command::AdminAuthenticate && signature_refused) {
    CredentialNames n = names_of(Kind::Admin);
    throw ToolError(kExitDevice, std::string(e.what()) + "\nmaxq1061-tool logged in with " +
                                     admin_key_path() + ", which is not the private half of " +
                                     "object " + format_id(n.object) + " on this chip; name " +
                                     "the right one with " + n.option + " FILE");
  }
  if ((cmd == wire::Command::ImportKey || cmd == wire::Command::ImportRootCert) &&
      status == wire::Status::BadSignature) {
    CredentialNames n = names_of(Kind::KeyImport);
    throw ToolError(kExitDevice, std::string(e.what()) + "\nmaxq1061-tool signed with " +
                                     key_import_key_path() + ", which is not the private half " +
                                     "of object " + format_id(n.object) + " on this chip; name " +
                                     "the right one with " + n.option + " FILE");
  }
}

transport::Device& ToolContext::device() {
  if (!dev_)
    dev_ = std::make_unique<transport::Device>(simulated_links::all_links().open(device_spec()));
  return *dev_;
}

uint16_t parse_object_id(const std::string& text, bool for_new_object) {
  std::string error;
  std::optional<uint16_t> id = wire::parse_object_id(text, error, for_new_object);
  if (!id) throw UsageError(error);
  return *id;
}

wire::CurveInfo parse_curve(const std::string& text) {
  auto c = wire::curve_by_name(text);
  if (!c)
    throw UsageError("unsupported curve '" + text +
                     "': use P-256, P-384, P-521, brainpoolP256r1, brainpoolP384r1 or "
                     "brainpoolP512r1");
  return *c;
}

std::string format_id(uint16_t id) {
  return wire::format_object_id(id);
}

std::string object_type_name(wire::ObjectType t) {
  switch (t) {
    case wire::ObjectType::SecretKey:
      return "secret-key";
    case wire::ObjectType::PublicKey:
      return "public-key";
    case wire::ObjectType::KeyPair:
      return "key-pair";
    case wire::ObjectType::Data:
      return "data";
    case wire::ObjectType::Counter:
    case wire::ObjectType::CounterAlt:
      return "counter";
    case wire::ObjectType::Certificate:
      return "certificate";
  }
  return "type-" + std::to_string(static_cast<int>(t));
}

std::string lifecycle_name(wire::Lifecycle l) {
  switch (l) {
    case wire::Lifecycle::Delivery:
      return "delivery";
    case wire::Lifecycle::Initialized:
      return "initialized";
    case wire::Lifecycle::Operational:
      return "operational";
    case wire::Lifecycle::Terminated:
      return "terminated";
  }
  return "state-" + std::to_string(static_cast<int>(l));
}

void check_writable(const std::string& path, const std::string& option) {
  if (path.empty()) throw UsageError(option + " needs a file name");
  struct stat st {};
  if (stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw UsageError(option + " " + path + " is a directory");
    if (access(path.c_str(), W_OK) != 0)
      throw UsageError(option + " " + path + " is not writable: " + std::strerror(errno));
    return;
  }
  std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/'));
  if (dir.empty()) dir = "/";
  if (access(dir.c_str(), W_OK | X_OK) != 0)
    throw UsageError(option + " " + path + ": cannot create a file in " + dir + ": " +
                     std::strerror(errno));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace maxq::tool
