// maxq1061-sim: serves one simulated MAXQ1061 (a state file) on a unix socket
// for `device = unix:SOCKET`. Stops cleanly on SIGTERM or SIGINT.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "simulator/chip.h"
#include "simulator/latency_model.h"
#include "simulator/sim_daemon.h"

namespace {

constexpr const char* kUsage =
    "usage: maxq1061-sim --state PATH --socket PATH\n"
    "                    [--provision [--admin-key PATH] [--key-import-key PATH]]\n"
    "                    [--latency off|modelled [--spi-clock-hz N] [--chip-ms LIST]]\n"
    "                    [--verbose]\n"
    "\n"
    "Serves the simulated MAXQ1061 whose state file is PATH on a unix socket; point\n"
    "the provider or maxq1061-tool at it with device unix:SOCKET.\n"
    "\n"
    "  --state PATH      state file of the simulated chip\n"
    "  --socket PATH     unix socket to listen on (a stale one is replaced)\n"
    "  --provision       create the chip first when PATH does not exist yet\n"
    "  --admin-key PATH  where --provision writes the admin key (default PATH.admin.pem)\n"
    "  --key-import-key PATH\n"
    "                    where --provision writes the key-import key, which signs key\n"
    "                    generations and imports (default PATH.key-import.pem)\n"
    "  --latency MODE    off (default): answer at once; modelled: take as long as a\n"
    "                    real part (MODELLED chip time per command, bus time per\n"
    "                    byte; see simulator/latency_model.h), like sim:PATH,latency=modelled\n"
    "  --spi-clock-hz N  the modelled bus clock, 1..30000000 (default 1000000)\n"
    "  --chip-ms LIST    chip times measured on a board instead of the MODELLED ones,\n"
    "                    milliseconds for P-256, e.g. sign=15,ecdh=18 (names: sign,\n"
    "                    keygen, ecdh, auth, random, write, other; 0..100)\n"
    "  --verbose         log every client connection to stderr\n"
    "  --help            this text\n"
    "\n"
    "Exit status: 0 stopped by SIGTERM/SIGINT, 1 could not serve, 2 bad usage.\n";

struct Args {
  std::string state, socket, admin_key, key_import_key;
  bool provision = false, verbose = false;
  bool latency = false;
  std::string spi_clock_hz;  // as given; checked once all arguments are in
  std::string chip_ms;       // the same
  bool chip_ms_given = false;
};

constexpr unsigned long kMaxSpiClockHz = 30000000;  // the range the ftdi link accepts

// Strictly decimal digits in 1..kMaxSpiClockHz, else 0.
unsigned long parse_clock(const std::string& v) {
  if (v.empty() || v.size() > 8 || v.find_first_not_of("0123456789") != std::string::npos) return 0;
  unsigned long hz = std::stoul(v);
  return hz <= kMaxSpiClockHz ? hz : 0;
}

int usage_error(const std::string& why) {
  std::fprintf(stderr, "maxq1061-sim: %s\n\n%s", why.c_str(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stderr);
      return 0;
    } else if (arg == "--state") {
      if (!value(a.state)) return usage_error("--state needs a path");
    } else if (arg == "--socket") {
      if (!value(a.socket)) return usage_error("--socket needs a path");
    } else if (arg == "--admin-key") {
      if (!value(a.admin_key)) return usage_error("--admin-key needs a path");
    } else if (arg == "--key-import-key") {
      if (!value(a.key_import_key)) return usage_error("--key-import-key needs a path");
    } else if (arg == "--provision") {
      a.provision = true;
    } else if (arg == "--latency") {
      std::string mode;
      if (!value(mode)) return usage_error("--latency needs off or modelled");
      if (mode != "off" && mode != "modelled")
        return usage_error("--latency must be off or modelled, not '" + mode + "'");
      a.latency = mode == "modelled";
    } else if (arg == "--spi-clock-hz") {
      if (!value(a.spi_clock_hz)) return usage_error("--spi-clock-hz needs a number");
    } else if (arg == "--chip-ms") {
      if (!value(a.chip_ms)) return usage_error("--chip-ms needs a list such as sign=15,ecdh=18");
      a.chip_ms_given = true;
    } else if (arg == "--verbose") {
      a.verbose = true;
    } else {
      return usage_error("unknown argument '" + arg + "'");
    }
  }
  if (a.state.empty() || a.socket.empty()) return usage_error("--state and --socket are required");
  if (!a.admin_key.empty() && !a.provision)
    return usage_error("--admin-key only goes with --provision");
  if (!a.key_import_key.empty() && !a.provision)
    return usage_error("--key-import-key only goes with --provision");
  maxq::sim::LatencySettings latency;
  if (!a.spi_clock_hz.empty()) {
    if (!a.latency) return usage_error("--spi-clock-hz only goes with --latency modelled");
    latency.spi_clock_hz = static_cast<uint32_t>(parse_clock(a.spi_clock_hz));
    if (latency.spi_clock_hz == 0)
      return usage_error("--spi-clock-hz must be a whole number from 1 to 30000000, not '" +
                         a.spi_clock_hz + "'");
  }
  if (a.chip_ms_given) {
    if (!a.latency) return usage_error("--chip-ms only goes with --latency modelled");
    try {
      latency.times = maxq::sim::parse_chip_times(a.chip_ms);
    } catch (const std::invalid_argument& e) {
      return usage_error(std::string("--chip-ms: ") + e.what());
    }
  }

  // SIGTERM/SIGINT arrive on a descriptor the serve loop polls: no handler, no
  // global flag. Clients that vanish must not kill the daemon with SIGPIPE.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) {
    std::perror("maxq1061-sim: sigprocmask");
    return 1;
  }
  int stop_fd = signalfd(-1, &stop, SFD_CLOEXEC);
  if (stop_fd < 0) {
    std::perror("maxq1061-sim: signalfd");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);

  try {
    if (a.provision && access(a.state.c_str(), F_OK) != 0) {
      std::string key = a.admin_key.empty() ? a.state + ".admin.pem" : a.admin_key;
      maxq::sim::ProvisionResult p = maxq::sim::Chip::provision(a.state, key, a.key_import_key);
      std::fprintf(stderr,
                   "maxq1061-sim: provisioned a new chip in %s (admin key %s, key-import key %s)\n",
                   a.state.c_str(), p.admin_key_path.c_str(), p.key_import_key_path.c_str());
    }
    maxq::sim::DaemonOptions options;
    options.socket_path = a.socket;
    options.verbose = a.verbose;
    std::unique_ptr<maxq::sim::Chip> chip = maxq::sim::Chip::open(a.state);
    if (a.latency) {
      // The daemon serves one batch at a time: while it sleeps out a batch's
      // bus time, other clients wait, as they would for a real chip.
      chip->enable_latency_model(latency);
      std::string times = maxq::sim::format_chip_times(latency.times);
      std::fprintf(stderr, "maxq1061-sim: latency modelled, SPI clock %u Hz, chip times %s\n",
                   static_cast<unsigned>(latency.spi_clock_hz),
                   times.empty() ? "as modelled" : times.c_str());
    }
    maxq::sim::SimDaemon daemon(std::move(chip), options);
    daemon.serve(stop_fd);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "maxq1061-sim: %s\n", e.what());
    close(stop_fd);
    return 1;
  }
  close(stop_fd);
  std::fprintf(stderr, "maxq1061-sim: stopped\n");
  return 0;
}
