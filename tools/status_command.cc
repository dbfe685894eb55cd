#include <cstdio>

#include "tools/commands.h"
#include "tools/json_writer.h"
#include "wire/bytes.h"

namespace maxq::tool {

int run_status(ToolContext& ctx, const Args&) {
  transport::ChipStatus s = ctx.device().status();
  char fw[32];
  std::snprintf(fw, sizeof fw, "%u.%u.%u.%u", s.firmware[0], s.firmware[1], s.firmware[2],
                s.firmware[3]);
  std::string serial = to_hex(ByteView(s.serial));
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("device", ctx.device_string())
        .field("product", s.product)
        .field("firmware", fw)
        .field("serial", serial)
        .field("lifecycle", lifecycle_name(s.lifecycle))
        .field("free_memory", uint64_t{s.free_memory})
        .field("total_memory", uint64_t{s.total_memory})
        .field("free_temporary_slots", uint64_t{s.free_temporary_slots})
        .end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("device     %s\nproduct    %s\nfirmware   %s\nserial     %s\nlifecycle  %s\n"
                "memory     %u of %u bytes free\ntemp slots %u free\n",
                ctx.device_string().c_str(), s.product.c_str(), fw, serial.c_str(),
                lifecycle_name(s.lifecycle).c_str(), s.free_memory, s.total_memory,
                s.free_temporary_slots);
  }
  return kExitOk;
}

}  // namespace maxq::tool
