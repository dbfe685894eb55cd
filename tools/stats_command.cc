#include <cstdio>
#include <optional>

#include "simulated_links/simulated_links.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "transport/device_spec.h"

namespace maxq::tool {

int run_stats(ToolContext& ctx, const Args&) {
  transport::DeviceSpec spec = ctx.device_spec();
  if (spec.scheme == "ftdi")
    throw UsageError("stats reads a simulated chip's counters (sim:PATH or unix:PATH's state)");
  // The simulated link reads its chip's counters (beside its state file).
  std::optional<sim::CounterSnapshot> counters = simulated_links::read_counters(spec);
  if (!counters)
    throw UsageError("stats needs the state file: use --device sim:PATH of the daemon's state");
  const sim::CounterSnapshot& s = *counters;
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("total_commands", s.total_commands())
        .field("bytes_to_chip", s.bytes_to_chip)
        .field("bytes_from_chip", s.bytes_from_chip)
        .field("frame_errors", s.frame_errors);
    j.begin_object("commands");
    for (int code = 0; code < 256; ++code)
      if (s.commands[code])
        j.field(wire::command_name(static_cast<uint8_t>(code)), s.commands[code]);
    j.end_object().end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("commands %llu, bytes to chip %llu, from chip %llu, frame errors %llu\n",
                static_cast<unsigned long long>(s.total_commands()),
                static_cast<unsigned long long>(s.bytes_to_chip),
                static_cast<unsigned long long>(s.bytes_from_chip),
                static_cast<unsigned long long>(s.frame_errors));
    for (int code = 0; code < 256; ++code)
      if (s.commands[code])
        std::printf("  %-20s %llu\n",
                    std::string(wire::command_name(static_cast<uint8_t>(code))).c_str(),
                    static_cast<unsigned long long>(s.commands[code]));
  }
  return kExitOk;
}

}  // namespace maxq::tool
