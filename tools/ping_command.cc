#include <chrono>
#include <cstdio>

#include "tools/commands.h"
#include "tools/json_writer.h"
#include "wire/protocol.h"

namespace maxq::tool {

int run_ping(ToolContext& ctx, const Args& args) {
  std::string size_text = args.get("size", "32");
  char* end = nullptr;
  unsigned long n = std::strtoul(size_text.c_str(), &end, 10);
  if (*end != '\0' || n == 0 || n > wire::kMaxHostCommandPayload)
    throw UsageError("--size must be 1.." + std::to_string(wire::kMaxHostCommandPayload));
  // The SDK's pattern (MXQ_Ping): 00 01 02 ..., so MAXQ1061_DEBUG=frames shows
  // the frames of the protocol document's ping example byte for byte.
  Bytes pattern(n);
  for (size_t i = 0; i < n; ++i) pattern[i] = static_cast<uint8_t>(i);
  auto t0 = std::chrono::steady_clock::now();
  Bytes echo = ctx.device().ping(pattern);
  auto us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  bool ok = echo == pattern;
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("device", ctx.device_string())
        .field("bytes", uint64_t{n})
        .field("echo_ok", ok)
        .field("microseconds", static_cast<uint64_t>(us))
        .end_object();
    std::printf("%s\n", j.str().c_str());
  } else if (ok) {
    std::printf("%s: %lu bytes echoed in %lld us\n", ctx.device_string().c_str(), n,
                static_cast<long long>(us));
  }
  if (!ok) {
    std::fprintf(stderr,
                 "maxq1061-tool ping: the chip echoed different bytes; check the wiring "
                 "and the SPI clock (see docs/hardware.md)\n");
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace maxq::tool
