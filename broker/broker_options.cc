#include "broker/broker_options.h"

#include "broker/peer_credentials.h"
#include "simulated_links/simulated_links.h"
#include "transport/device_spec.h"
#include "transport/errors.h"

namespace maxq::broker {

const char* const kUsage =
    "usage: maxq1061d --device DEVICE [--socket PATH] [--group NAME] [--socket-mode OCTAL]\n"
    "                 [--max-clients N] [--idle-timeout SECONDS] [--admin-hold-ms MS]\n"
    "                 [--challenge-hold-ms MS] [--manage-users LIST] [--manage-groups LIST]\n"
    "                 [--foreground] [--verbose]\n"
    "\n"
    "Owns one MAXQ1061 and serves every local process that uses it (the provider\n"
    "and maxq1061-tool with device broker:PATH): whole command frames over a unix\n"
    "socket, in arrival order, one client's admin session never serving another.\n"
    "\n"
    "  --device DEVICE        ftdi:DESC[,...], sim:PATH[,...] or unix:PATH, as the provider\n"
    "                         takes them (required)\n"
    "  --socket PATH          where clients connect (default /run/maxq1061/maxq1061.sock);\n"
    "                         ignored when systemd passes the socket (maxq1061d.socket)\n"
    "  --group NAME           the socket's group: only its members (and root) may use the\n"
    "                         chip; without it, only the daemon's own user\n"
    "  --socket-mode OCTAL    the socket's mode (default 0660)\n"
    "  --max-clients N        clients served at once, 1..4096 (default 64); more are\n"
    "                         refused with \"too many clients\"\n"
    "  --idle-timeout S       disconnect a client silent for S seconds that holds no\n"
    "                         temporary objects and no admin session (default 600, 0 never)\n"
    "  --admin-hold-ms MS     how long an idle admin session may keep other clients\n"
    "                         waiting before the daemon ends it (default 10000)\n"
    "  --challenge-hold-ms MS how long a challenge waits for its admin login (default 500)\n"
    "  --manage-users LIST    comma-separated users (names or uids) that may create\n"
    "                         persistent objects and delete objects; with --manage-groups,\n"
    "                         nobody else may (root always may). Default: everyone served\n"
    "  --manage-groups LIST   the same for groups\n"
    "  --foreground           stay in the foreground (systemd, tests); otherwise the\n"
    "                         daemon detaches once its socket is ready\n"
    "  --verbose              log every connection and disconnection\n"
    "  --help                 this text\n"
    "\n"
    "Logs go to stderr (the journal under systemd). SIGTERM or SIGINT: stop accepting,\n"
    "finish the commands in progress, end admin sessions, free temporary objects, exit 0.\n"
    "Exit status: 0 stopped, 1 could not serve, 2 bad usage.\n";

namespace {

unsigned long number(const std::string& option, const std::string& v, unsigned long min,
                     unsigned long max) {
  if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(option + " takes a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not '" + v + "'");
  unsigned long n = std::stoul(v);
  if (n < min || n > max)
    throw UsageError(option + " must be from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not " + v);
  return n;
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t comma = list.find(',', start);
    out.push_back(
        list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

BrokerOptions parse_options(const std::vector<std::string>& args) {
  BrokerOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") {
      o.help = true;
    } else if (arg == "--device") {
      o.device = value();
    } else if (arg == "--socket") {
      o.socket = value();
      if (o.socket.empty()) throw UsageError("--socket needs a path");
    } else if (arg == "--group") {
      o.group_text = value();
      o.group = lookup_group(o.group_text);
      if (!o.group)
        throw UsageError("--group: no group '" + o.group_text +
                         "' on this system (create it with groupadd --system " + o.group_text +
                         ")");
    } else if (arg == "--socket-mode") {
      std::string v = value();
      if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
        throw UsageError("--socket-mode takes an octal mode such as 0660, not '" + v + "'");
      o.socket_mode = static_cast<mode_t>(std::stoul(v, nullptr, 8));
    } else if (arg == "--max-clients") {
      o.server.max_clients = number(arg, value(), 1, 4096);
    } else if (arg == "--idle-timeout") {
      o.server.session.idle_timeout = std::chrono::seconds(number(arg, value(), 0, 86400 * 7));
    } else if (arg == "--admin-hold-ms") {
      o.isolation.admin_hold = std::chrono::milliseconds(number(arg, value(), 1, 3600000));
    } else if (arg == "--challenge-hold-ms") {
      o.isolation.challenge_hold = std::chrono::milliseconds(number(arg, value(), 1, 60000));
    } else if (arg == "--manage-users") {
      for (const std::string& u : split(value())) {
        auto uid = lookup_user(u);
        if (!uid) throw UsageError("--manage-users: no user '" + u + "' on this system");
        o.isolation.manage_users.push_back(*uid);
      }
    } else if (arg == "--manage-groups") {
      for (const std::string& g : split(value())) {
        auto gid = lookup_group(g);
        if (!gid) throw UsageError("--manage-groups: no group '" + g + "' on this system");
        o.isolation.manage_groups.push_back(*gid);
      }
    } else if (arg == "--foreground") {
      o.foreground = true;
    } else if (arg == "--verbose") {
      o.verbose = true;
    } else {
      throw UsageError("unknown argument '" + arg + "'");
    }
  }
  if (o.help) return o;
  if (o.device.empty())
    throw UsageError(
        "--device is required (e.g. --device ftdi:i:0x0403:0x6014 or --device "
        "sim:/var/lib/maxq1061/chip.state)");
  try {
    transport::DeviceSpec spec = simulated_links::all_links().parse(o.device);
    if (spec.scheme == "broker")
      throw UsageError("--device " + o.device +
                       ": the daemon owns the device itself; give it ftdi:, sim: or unix:");
  } catch (const transport::ConfigError& e) {
    throw UsageError(std::string("--device: ") + e.what());
  }
  return o;
}

}  // namespace maxq::broker
