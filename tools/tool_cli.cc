#include "tools/tool_cli.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "transport/admin_key.h"
#include "transport/device_spec.h"

namespace maxq::tool {

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values.find(name);
  return it == values.end() ? fallback : it->second;
}

std::string Args::require(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) throw UsageError("missing required option --" + name);
  return it->second;
}

ToolContext::ToolContext(std::string device, std::string admin_key, bool json)
    : device_(std::move(device)), admin_key_(std::move(admin_key)), json_(json) {}

std::string ToolContext::admin_key_path() const {
  if (!admin_key_.empty()) return admin_key_;
  if (const char* env = std::getenv("MAXQ1061_ADMIN_KEY"); env && *env) return env;
  transport::DeviceSpec spec = transport::DeviceSpec::parse(device_);
  if (spec.kind == transport::DeviceSpec::Kind::Sim) return spec.target + ".admin.pem";
  return "";
}

transport::Device& ToolContext::device() {
  if (!dev_) {
    transport::DeviceSpec spec = transport::DeviceSpec::parse(device_);
    dev_ = std::make_unique<transport::Device>(transport::open_link(spec));
  }
  return *dev_;
}

void ToolContext::authenticate_admin() {
  std::string path = admin_key_path();
  if (path.empty())
    throw transport::ConfigError(
        "creating or deleting objects needs the admin key: pass --admin-key FILE or set "
        "MAXQ1061_ADMIN_KEY");
  transport::AdminKey key = transport::AdminKey::load(path);
  device().authenticate(key);
}

uint16_t parse_object_id(const std::string& text) {
  if (text.empty()) throw UsageError("empty object id; use e.g. 0x0101");
  errno = 0;
  char* end = nullptr;
  unsigned long v = std::strtoul(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0' || v > 0xFFFF || text[0] == '-')
    throw UsageError("bad object id '" + text + "': use a 16-bit number such as 0x0101");
  return static_cast<uint16_t>(v);
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
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04x", id);
  return buf;
}

std::string object_type_name(wire::ObjectType t) {
  switch (t) {
    case wire::ObjectType::SecretKey: return "secret-key";
    case wire::ObjectType::PublicKey: return "public-key";
    case wire::ObjectType::KeyPair: return "key-pair";
    case wire::ObjectType::Data: return "data";
    case wire::ObjectType::Counter:
    case wire::ObjectType::CounterAlt: return "counter";
    case wire::ObjectType::Certificate: return "certificate";
  }
  return "type-" + std::to_string(static_cast<int>(t));
}

std::string lifecycle_name(wire::Lifecycle l) {
  switch (l) {
    case wire::Lifecycle::Delivery: return "delivery";
    case wire::Lifecycle::Initialized: return "initialized";
    case wire::Lifecycle::Operational: return "operational";
    case wire::Lifecycle::Terminated: return "terminated";
  }
  return "state-" + std::to_string(static_cast<int>(l));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace maxq::tool
