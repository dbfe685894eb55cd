// Entry points of the subcommands (one file each).
#pragma once

#include "tools/tool_cli.h"

namespace maxq::tool {

int run_init(ToolContext&, const Args&);
int run_status(ToolContext&, const Args&);
int run_ping(ToolContext&, const Args&);
int run_list(ToolContext&, const Args&);
int run_genkey(ToolContext&, const Args&);
int run_import_cert(ToolContext&, const Args&);
int run_delete(ToolContext&, const Args&);
int run_pubkey(ToolContext&, const Args&);
int run_stats(ToolContext&, const Args&);

}  // namespace maxq::tool
