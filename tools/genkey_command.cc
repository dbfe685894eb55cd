#include <cstdio>
#include <fstream>

#include "provider/key_reference.h"
#include "tools/commands.h"
#include "tools/json_writer.h"

namespace maxq::tool {

int run_genkey(ToolContext& ctx, const Args& args) {
  uint16_t id = parse_object_id(args.require("id"));
  wire::CurveInfo curve = parse_curve(args.get("curve", "P-256"));
  ctx.authenticate_admin();
  ctx.device().create_object(transport::ObjectSpec::key_pair(id, curve.curve));
  transport::PublicKey key = ctx.device().generate_key(id, curve.curve);
  std::string uri = "maxq1061:id=" + format_id(id);
  if (args.has("out")) {
    // The same key-reference file the provider's encoder writes.
    provider::KeyReference ref;
    ref.serial = ctx.device().status().serial;
    ref.object_id = id;
    ref.curve = curve;
    ref.public_point = Bytes{0x04};
    ref.public_point.insert(ref.public_point.end(), key.xy.begin(), key.xy.end());
    std::string out = args.require("out");
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!(f << provider::encode_key_reference_pem(ref)))
      throw std::runtime_error("cannot write the key reference " + out);
  }
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object().field("id", format_id(id)).field("curve", curve.sn).field("uri", uri)
        .field("public_point", "04" + to_hex(key.xy)).end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("generated %s key pair in object %s (URI %s)\n", std::string(curve.sn).c_str(),
                format_id(id).c_str(), uri.c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
