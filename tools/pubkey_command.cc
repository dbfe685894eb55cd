#include <cstdio>
#include <fstream>

#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/tool_crypto.h"

namespace maxq::tool {

int run_pubkey(ToolContext& ctx, const Args& args) {
  uint16_t id = parse_object_id(args.require("id"));
  transport::PublicKey key = ctx.device().read_public(id);
  std::string pem = public_key_pem(key);
  if (args.has("out")) {
    std::string out = args.require("out");
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!(f << pem)) throw std::runtime_error("cannot write " + out);
  }
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("id", format_id(id))
        .field("curve", wire::curve_info(key.curve)->sn)
        .field("public_point", "04" + to_hex(key.xy))
        .field("pem", pem)
        .end_object();
    std::printf("%s\n", j.str().c_str());
  } else if (!args.has("out")) {
    std::fputs(pem.c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace maxq::tool
