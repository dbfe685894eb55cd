#include <cstdio>

#include "simulator/chip.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "transport/device_spec.h"
#include "wire/bytes.h"

namespace maxq::tool {

int run_init(ToolContext& ctx, const Args& args) {
  transport::DeviceSpec spec = transport::DeviceSpec::parse(ctx.device_string());
  if (spec.kind != transport::DeviceSpec::Kind::Sim)
    throw UsageError("init provisions simulated chips only (sim:PATH); a real MAXQ1061 is "
                     "provisioned through its own secure flow");
  std::string admin_out = args.get("admin-key-out", spec.target + ".admin.pem");
  sim::ProvisionResult r = sim::Chip::provision(spec.target, admin_out);
  std::string serial = to_hex(ByteView(r.serial));
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object().field("device", "sim:" + spec.target).field("serial", serial)
        .field("admin_key", r.admin_key_path).end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("provisioned simulated MAXQ1061 at %s\n  serial    %s\n  admin key %s (keep it "
                "private; needed to create or delete objects)\n",
                spec.target.c_str(), serial.c_str(), r.admin_key_path.c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
