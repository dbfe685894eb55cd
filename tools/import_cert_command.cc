#include <cstdio>

#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/tool_crypto.h"

namespace maxq::tool {

int run_import_cert(ToolContext& ctx, const Args& args) {
  uint16_t id = parse_object_id(args.require("id"));
  if (args.positional.size() != 1) throw UsageError("name exactly one certificate FILE");
  const std::string& path = args.positional[0];
  Bytes der = certificate_der(read_file(path), path);
  if (der.size() > 0xFFFF) throw std::runtime_error(path + " is too large for a chip object");
  ctx.authenticate_admin();
  ctx.device().create_object(transport::ObjectSpec::certificate(id, static_cast<uint16_t>(der.size())));
  ctx.device().write_object_chunked(id, der);
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object().field("id", format_id(id)).field("bytes", uint64_t{der.size()})
        .field("uri", "maxq1061:id=" + format_id(id) + ";type=cert").end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("stored %zu-byte certificate in object %s (URI maxq1061:id=%s;type=cert)\n",
                der.size(), format_id(id).c_str(), format_id(id).c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
