#include <cstdio>

#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/object_provisioning.h"
#include "tools/tool_crypto.h"
#include "wire/certificate_layout.h"

namespace maxq::tool {
namespace {

// Import root certificate sends 01, algorithm, key id, object id, body length,
// the body (header + DER), signature length and a P-256 signature.
constexpr size_t kImportOverheadBytes = 1 + 1 + 2 + 2 + 2 + 2 + 64;

}  // namespace

int run_import_cert(ToolContext& ctx, const Args& args) {
  // Everything that can be refused without the chip is checked first.
  uint16_t id = parse_object_id(args.require("id"), true);
  if (args.positional.size() != 1) throw UsageError("name exactly one certificate FILE");
  const std::string& path = args.positional[0];
  Bytes der = certificate_der(read_file(path), path);
  wire::CurveInfo curve = certificate_key_curve(der, path);
  if (!wire::certificate_header_for(der, curve, 0))
    throw std::runtime_error(path + ": the certificate's " + std::string(curve.sn) +
                             " key is not an uncompressed point the chip can locate");
  size_t capacity = wire::kCertificateHeaderBytes + der.size();
  size_t request = kImportOverheadBytes + capacity;
  if (request > wire::kMaxHostCommandPayload)
    throw std::runtime_error(path + " is too large for the chip: " + std::to_string(der.size()) +
                             " bytes of DER; one import request carries at most " +
                             std::to_string(wire::kMaxHostCommandPayload - kImportOverheadBytes -
                                            wire::kCertificateHeaderBytes));
  ctx.admin_key("import-cert");
  const transport::CredentialKey& key_import = ctx.key_import_key("import-cert");

  transport::Device& dev = ctx.device();
  create_and_fill(ctx, "import-cert",
                  transport::ObjectSpec::certificate(id, static_cast<uint16_t>(capacity)),
                  [&] { dev.import_certificate(id, der, key_import); });

  std::string uri = "maxq1061:id=" + format_id(id) + ";type=cert";
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("id", format_id(id))
        .field("bytes", uint64_t{der.size()})
        .field("capacity", uint64_t{capacity})
        .field("curve", curve.sn)
        .field("uri", uri)
        .end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("stored %zu-byte certificate (%s key) in object %s (URI %s)\n", der.size(),
                std::string(curve.sn).c_str(), format_id(id).c_str(), uri.c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
