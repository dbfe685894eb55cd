// Creating an object and filling it (key generation, certificate import) as
// one admin session that leaves no half-made object behind.
#pragma once

#include <functional>
#include <string>

#include "tools/tool_cli.h"

namespace maxq::tool {

// In one admin session: create the object of `spec`, then `fill` it. When
// `fill` fails, the object is deleted again in the same session; if even that
// fails, the error gives the exact command that removes it. `what` names the
// operation for messages ("genkey").
void create_and_fill(ToolContext& ctx, const std::string& what, const transport::ObjectSpec& spec,
                     const std::function<void()>& fill);

// The tool command line that deletes object `id` on this context's device.
std::string delete_command_line(const ToolContext& ctx, uint16_t id);

}  // namespace maxq::tool
