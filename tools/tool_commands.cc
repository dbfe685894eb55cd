#include "tools/commands.h"

namespace maxq::tool {

const std::vector<ToolCommand>& tool_commands() {
  static const std::vector<ToolCommand> commands = {
      {"init",
       "provision a new simulated chip (state file, admin key and key-import key)",
       "[--admin-key-out FILE] [--key-import-key-out FILE]",
       {{"admin-key-out", true, "where to write the admin private key (default PATH.admin.pem)"},
        {"key-import-key-out", true,
         "where to write the key-import private key (default PATH.key-import.pem)"}},
       run_init},
      {"status",
       "show product, firmware, hardware code, serial, lifecycle, memory and configuration",
       "",
       {},
       run_status},
      {"ping",
       "check the link: echo the SDK's pattern 00 01 02 ... through the chip",
       "[--size N]",
       {{"size", true, "bytes to echo (1..2048, default 32)"}},
       run_ping},
      {"list",
       "list objects: type, properties, state, capacity, key policy, access conditions",
       "",
       {},
       run_list},
      {"genkey",
       "generate a key pair inside the chip (admin key and key-import key)",
       "--id ID [--curve CURVE] [--out REF.pem]",
       {{"id", true, "object id, e.g. 0x0101"},
        {"curve", true, "P-256 (default), P-384, P-521, brainpoolP256r1/384r1/512r1"},
        {"out", true, "write a key-reference PEM file for -key options"}},
       run_genkey},
      {"import-cert",
       "store a certificate (PEM or DER) of an EC key in a chip object (admin key and "
       "key-import key)",
       "--id ID FILE",
       {{"id", true, "object id for the certificate, e.g. 0x0201"}},
       run_import_cert},
      {"delete",
       "delete an object (admin key)",
       "--id ID",
       {{"id", true, "object id"}},
       run_delete},
      {"pubkey",
       "print the public key of a key object as PEM",
       "--id ID [--out FILE]",
       {{"id", true, "object id"}, {"out", true, "write the PEM to FILE instead of stdout"}},
       run_pubkey},
      {"stats", "show the simulated chip's command and byte counters", "", {}, run_stats},
  };
  return commands;
}

}  // namespace maxq::tool
