// maxq1061-tool: provisioning and inspection of a MAXQ1061 (real or simulated),
// in the spirit of tpm2-tools and pkcs11-tool. Output goes to stdout (text, or
// JSON with --json); errors go to stderr with an exit code from tool_cli.h.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "tools/tool_cli.h"
#include "transport/device_spec.h"

namespace maxq::tool {
namespace {

const std::vector<OptionSpec> kGlobalOptions = {
    {"device", true,
     "device string: sim:PATH, unix:PATH, broker:PATH or ftdi:DESC (default: $MAXQ1061_DEVICE; "
     "no default chip: without either the tool stops and says so)"},
    {"admin-key", true,
     "admin private key PEM, the private half of object 0x1001; signs the admin login of genkey, "
     "import-cert, delete (default: $MAXQ1061_ADMIN_KEY, else PATH.admin.pem for sim:PATH)"},
    {"key-import-key", true,
     "key-import private key PEM, the private half of object 0x1000; signs what genkey and "
     "import-cert send (default: $MAXQ1061_KEY_IMPORT_KEY, else PATH.key-import.pem for sim:PATH)"},
    {"json", false, "machine-readable output"},
    {"help", false, "show help"},
};

void print_usage(const ToolCommand& c, FILE* out) {
  std::fprintf(out, "usage: maxq1061-tool %s %s\n\n%s\n\noptions:\n", c.name, c.usage, c.summary);
  for (const OptionSpec& o : c.options)
    std::fprintf(out, "  --%-16s %s\n", (std::string(o.name) + (o.takes_value ? " V" : "")).c_str(),
                 o.help);
  for (const OptionSpec& o : kGlobalOptions)
    std::fprintf(out, "  --%-16s %s\n", (std::string(o.name) + (o.takes_value ? " V" : "")).c_str(),
                 o.help);
}

void print_main_help(FILE* out) {
  std::fprintf(out,
               "usage: maxq1061-tool [--device DEV] [--admin-key FILE] [--key-import-key FILE] "
               "[--json] COMMAND [options]\n\n"
               "commands:\n");
  for (const ToolCommand& c : tool_commands()) std::fprintf(out, "  %-12s %s\n", c.name, c.summary);
  std::fprintf(
      out,
      "\n'maxq1061-tool COMMAND --help' describes a command.\n\n"
      "credentials (PEM files of P-256 private keys; only provisioning needs them):\n"
      "  admin key       the private half of object 0x1001; genkey, import-cert and delete\n"
      "                  log in with it. --admin-key FILE, $MAXQ1061_ADMIN_KEY, or for\n"
      "                  sim:PATH the file PATH.admin.pem that init writes\n"
      "  key-import key  the private half of object 0x1000; the chip takes a key\n"
      "                  generation or a certificate only when signed with it.\n"
      "                  --key-import-key FILE, $MAXQ1061_KEY_IMPORT_KEY, or for sim:PATH\n"
      "                  the file PATH.key-import.pem that init writes\n"
      "  (the provider's config keys are admin-key and key-import-key)\n\n"
      "device: --device, else $MAXQ1061_DEVICE (there is no default: a simulated chip is\n"
      "  made with 'maxq1061-tool init --device sim:PATH')\n"
      "exit codes: 0 ok, 1 operation failed, 2 usage error, 3 device or credential "
      "unusable\n");
}

const OptionSpec* find_option(const ToolCommand* c, const std::string& name) {
  for (const OptionSpec& o : kGlobalOptions)
    if (name == o.name) return &o;
  if (c)
    for (const OptionSpec& o : c->options)
      if (name == o.name) return &o;
  return nullptr;
}

int run(int argc, char** argv) {
  const ToolCommand* cmd = nullptr;
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      const OptionSpec* spec = find_option(cmd, name);
      if (!spec) throw UsageError("unknown option --" + name);
      if (spec->takes_value && !inline_value) {
        if (i + 1 >= argc) throw UsageError("option --" + name + " needs a value");
        value = argv[++i];
      }
      args.values[name] = value;
    } else if (!cmd) {
      for (const ToolCommand& c : tool_commands())
        if (a == c.name) cmd = &c;
      if (!cmd) throw UsageError("unknown command '" + a + "'");
    } else {
      args.positional.push_back(a);
    }
  }
  if (!cmd) {
    print_main_help(args.has("help") ? stdout : stderr);
    return args.has("help") ? kExitOk : kExitUsage;
  }
  if (args.has("help")) {
    print_usage(*cmd, stdout);
    return kExitOk;
  }
  std::string device = args.get("device");
  if (device.empty()) device = env("MAXQ1061_DEVICE");
  if (device.empty())
    throw transport::ConfigError(
        "no device given: pass --device (ftdi:DESC, broker:PATH, unix:PATH or sim:PATH) or set "
        "MAXQ1061_DEVICE; for a simulated chip, make one with `maxq1061-tool init --device "
        "sim:PATH`");
  ToolContext ctx(device, args.get("admin-key"), args.get("key-import-key"), args.has("json"));
  try {
    return cmd->run(ctx, args);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "maxq1061-tool %s: %s\n\n", cmd->name, e.what());
    print_usage(*cmd, stderr);
    return kExitUsage;
  }
}

}  // namespace
}  // namespace maxq::tool

int main(int argc, char** argv) {
  using namespace maxq;
  try {
    return tool::run(argc, argv);
  } catch (const tool::UsageError& e) {
    std::fprintf(stderr, "maxq1061-tool: %s (try --help)\n", e.what());
    return tool::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "maxq1061-tool: %s\n", e.what());
    return tool::exit_code_for(e);
  }
}
