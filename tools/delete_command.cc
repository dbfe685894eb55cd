#include <cstdio>

#include "tools/commands.h"
#include "tools/json_writer.h"

namespace maxq::tool {

int run_delete(ToolContext& ctx, const Args& args) {
  uint16_t id = parse_object_id(args.require("id"));
  if (id == wire::kKeyImportKeyId || id == wire::kAdminKeyId)
    throw UsageError("object " + format_id(id) +
                     " holds the public half of a chip credential; the tool does not delete it");
  ctx.admin_key("delete");
  ctx.as_admin("delete", [&] { ctx.device().delete_object(id); });
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object().field("deleted", format_id(id)).end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("deleted object %s\n", format_id(id).c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
