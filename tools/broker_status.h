// `maxq1061-tool --device broker:PATH status`: the daemon's clients and
// counters after the chip's status.
#pragma once

#include "tools/commands.h"
#include "tools/json_writer.h"

namespace maxq::tool {

// Nothing when the device is not a broker. With `json`, adds a "broker"
// object to the open object; else prints a section to stdout.
void add_broker_status(ToolContext& ctx, JsonWriter* json);

}  // namespace maxq::tool
