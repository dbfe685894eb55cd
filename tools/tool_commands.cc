#include "tools/commands.h"

namespace maxq::tool {

const std::vector<ToolCommand>& tool_commands() {
  static const std::vector<ToolCommand> commands = {
      {"init", "provision a new simulated chip (state file + admin key)", "[--admin-key-out FILE]",
       {{"admin-key-out", true, "where to write the admin private key (default PATH.admin.pem)"}},
       run_init},
      {"status", "show product, firmware, serial, lifecycle and memory", "", {}, run_status},
      {"ping", "check the link: echo bytes through the chip", "[--size N]",
       {{"size", true, "bytes to echo (1..2293, default 32)"}}, run_ping},
      {"list", "list objects with type, curve and access rules", "", {}, run_list},
      {"genkey", "generate a key pair inside the chip", "--id ID --curve CURVE [--out REF.pem]",
       {{"id", true, "object id, e.g. 0x0101"},
        {"curve", true, "P-256 (default), P-384, P-521, brainpoolP256r1/384r1/512r1"},
        {"out", true, "write a key-reference PEM file for -key options"}},
       run_genkey},
      {"import-cert", "store a certificate (PEM or DER) in a chip object", "--id ID FILE",
       {{"id", true, "object id for the certificate, e.g. 0x0201"}}, run_import_cert},
      {"delete", "delete an object", "--id ID", {{"id", true, "object id"}}, run_delete},
      {"pubkey", "print the public key of a key object as PEM", "--id ID [--out FILE]",
       {{"id", true, "object id"}, {"out", true, "write the PEM to FILE instead of stdout"}},
       run_pubkey},
      {"stats", "show the simulated chip's command and byte counters", "", {}, run_stats},
  };
  return commands;
}

}  // namespace maxq::tool
