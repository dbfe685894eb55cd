#include <cstdio>

#include "simulated_links/simulated_links.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "wire/bytes.h"

namespace maxq::tool {

int run_init(ToolContext& ctx, const Args& args) {
  transport::DeviceSpec spec = ctx.device_spec();
  if (spec.scheme != "sim")
    throw UsageError(
        "init provisions simulated chips only (sim:PATH); a real MAXQ1061 comes "
        "with its keys 0x1000 and 0x1001 (see docs/hardware.md, Credentials)");
  std::string admin_out = args.get("admin-key-out", spec.target + ".admin.pem");
  std::string import_out = args.get("key-import-key-out", spec.target + ".key-import.pem");
  if (admin_out == import_out)
    throw UsageError("--admin-key-out and --key-import-key-out name the same file");
  // A file that exists or cannot be written is a transport::ConfigError (exit 3).
  simulated_links::ProvisionedChip r = simulated_links::provision(spec, admin_out, import_out);
  const std::string& serial = r.serial_hex;
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("device", "sim:" + spec.target)
        .field("serial", serial)
        .field("admin_key", r.admin_key_path)
        .field("key_import_key", r.key_import_key_path)
        .end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf(
        "provisioned simulated MAXQ1061 at %s\n"
        "  serial          %s\n"
        "  admin key       %s (object 0x1001's private half: creating and deleting objects)\n"
        "  key-import key  %s (object 0x1000's private half: key generation, certificates)\n"
        "Keep both private. The chip's own keys live in the state file, not in a secure "
        "element.\n",
        spec.target.c_str(), serial.c_str(), r.admin_key_path.c_str(),
        r.key_import_key_path.c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
