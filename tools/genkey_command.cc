#include <cstdio>
#include <fstream>

#include "provider/key_reference.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/object_provisioning.h"
#include "wire/ec_codec.h"

namespace maxq::tool {

int run_genkey(ToolContext& ctx, const Args& args) {
  // Everything that can be refused without the chip is checked first.
  uint16_t id = parse_object_id(args.require("id"), true);
  wire::CurveInfo curve = parse_curve(args.get("curve", "P-256"));
  std::string out = args.has("out") ? args.require("out") : "";
  if (!out.empty()) check_writable(out, "--out");
  ctx.admin_key("genkey");
  const transport::CredentialKey& key_import = ctx.key_import_key("genkey");

  transport::Device& dev = ctx.device();
  // The reference names the chip; read its serial before changing anything.
  transport::ChipStatus status;
  if (!out.empty()) status = dev.status();
  transport::PublicKey key;
  create_and_fill(ctx, "genkey", transport::ObjectSpec::key_pair(id, curve.curve),
                  [&] { key = dev.generate_key(id, curve.curve, key_import); });

  std::string uri = "maxq1061:id=" + format_id(id);
  if (!out.empty()) {
    // The same key-reference file the provider's encoder writes.
    provider::KeyReference ref;
    ref.serial = status.serial;
    ref.object_id = id;
    ref.curve = curve;
    ref.public_point = wire::uncompressed_point(curve, key.xy);
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    if (!(f << provider::encode_key_reference_pem(ref)))
      throw std::runtime_error("generated the key in object " + format_id(id) +
                               " but cannot write the key reference " + out +
                               "; write it with: openssl pkey -provider maxq1061 -provider "
                               "default -in '" +
                               uri + "' -out REF.pem");
  }
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("id", format_id(id))
        .field("curve", curve.sn)
        .field("uri", uri)
        .field("public_point", "04" + to_hex(key.xy));
    if (!out.empty()) j.field("reference", out);
    j.end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("generated %s key pair in object %s (URI %s)\n", std::string(curve.sn).c_str(),
                format_id(id).c_str(), uri.c_str());
    if (!out.empty()) std::printf("key reference written to %s\n", out.c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
