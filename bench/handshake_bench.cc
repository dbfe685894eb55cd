// Handshake benchmark: what it costs to put the handshake on the chip.
// Full mutual-TLS handshakes (no resumption) in one process over BIO pairs, in
// four modes run interleaved so machine drift hits all alike:
//   software   both keys in the default provider (the baseline)
//   identity   client key on a chip; ECDHE and RNG in software
//   full       client key, ECDHE and the DRBG seed on a chip (?provider=maxq1061)
//   both-ends  client and server keys each on their own chip
// With --latency-model every chip takes as long as the MODELLED real part
// (simulator/latency_model.h), so the handshakes really take that long.
// See bench/README.md for how to run it and the latest figures.
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/latency_model.h"
#include "bench/process_memory.h"
#include "simulated_links/sim_link_options.h"
#include "simulated_links/simulated_links.h"
#include "simulator/counters.h"
#include "simulator/latency_model.h"
#include "test/support/tls_fixture.h"
#include "transport/device.h"
#include "transport/device_spec.h"
#include "wire/protocol.h"

namespace maxq::bench {

using namespace maxq::tls_fixture;
namespace {

struct Options {
  int tls = 13;
  std::string curve = "P-256";
  int reps = 5;
  int handshakes = 200;  // per mode per repetition
  bool json = false;
  bool hardware_estimate = false;
  bool latency_model = false;  // chips take as long as the MODELLED part
  double spi_hz = 1e6;
  sim::ChipTimes chip_times;  // --chip-ms: the model's chip times (MODELLED defaults)
  std::string module_dir;
  // Modes to run besides software, which always runs: it is the baseline.
  std::vector<std::string> modes = {"identity", "full", "both-ends"};
};

// Handshakes a mode runs before the next mode's turn: a few milliseconds of
// work, short against the machine's drift, long against the slice's overhead.
constexpr int kSliceHandshakes = 10;

struct Mode {
  std::string name;
  SslCtxPtr client, server;
  std::vector<std::string> chips;    // state files whose counters belong to this mode
  std::vector<double> rates;         // handshakes/s per repetition
  std::vector<double> latencies_ms;  // sized (and its pages touched) before measuring
  size_t recorded = 0;
  uint64_t handshakes = 0;
  sim::CounterSnapshot delta;
  size_t objects_before = 0, objects_after = 0;
};

[[noreturn]] void usage(const char* msg) {
  // --help asks for the usage (stdout, success); a bad option gets it with the reason.
  std::FILE* out = msg[0] ? stderr : stdout;
  if (msg[0]) std::fprintf(out, "%s\n", msg);
  std::fprintf(out,
               "usage: maxq1061-bench [--tls 12|13] [--curve P-256|P-384] [--reps N] "
               "[--handshakes N] [--quick] [--json] [--hardware-estimate | --latency-model] "
               "[--spi-hz N] [--chip-ms sign=MS,...] [--modes identity,full,both-ends] "
               "[--module-dir DIR]\n");
  std::exit(msg[0] ? 2 : 0);
}

Options parse(int argc, char** argv) {
  Options o;
  o.module_dir = MAXQ_BENCH_MODULE_DIR;
  bool quick = false, reps_given = false, handshakes_given = false, chip_ms_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--tls") {
      o.tls = std::atoi(value().c_str());
    } else if (a == "--curve") {
      o.curve = value();
    } else if (a == "--reps") {
      o.reps = std::atoi(value().c_str());
      reps_given = true;
    } else if (a == "--handshakes") {
      o.handshakes = std::atoi(value().c_str());
      handshakes_given = true;
    } else if (a == "--quick") {
      quick = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--hardware-estimate") {
      o.hardware_estimate = true;
    } else if (a == "--latency-model") {
      o.latency_model = true;
    } else if (a == "--spi-hz") {
      o.spi_hz = std::atof(value().c_str());
    } else if (a == "--chip-ms") {
      try {
        o.chip_times = sim::parse_chip_times(value());
        chip_ms_given = true;
      } catch (const std::invalid_argument& e) {
        usage((std::string("--chip-ms: ") + e.what()).c_str());
      }
    } else if (a == "--module-dir") {
      o.module_dir = value();
    } else if (a == "--modes") {
      o.modes.clear();
      std::string list = value();
      for (size_t start = 0; start <= list.size();) {
        size_t comma = std::min(list.find(',', start), list.size());
        std::string m = list.substr(start, comma - start);
        start = comma + 1;
        if (m == "software") continue;  // always runs
        if (m != "identity" && m != "full" && m != "both-ends" && m != "loaded")
          usage(("--modes: unknown mode '" + m + "' (software, identity, full, both-ends, loaded)")
                    .c_str());
        if (std::find(o.modes.begin(), o.modes.end(), m) == o.modes.end()) o.modes.push_back(m);
      }
    } else if (a == "--help" || a == "-h") {
      usage("");
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  if (o.tls != 12 && o.tls != 13) usage("--tls must be 12 or 13");
  if (o.curve != "P-256" && o.curve != "P-384") usage("--curve must be P-256 or P-384");
  // Counts given on the command line win over --quick's. A modelled handshake
  // takes tens of milliseconds: fewer of them keep a default run under a minute.
  if (quick && !reps_given) o.reps = 1;
  if (!handshakes_given) o.handshakes = quick ? 10 : (o.latency_model ? 20 : 200);
  if (o.reps < 1 || o.handshakes < 1 || o.spi_hz <= 0) usage("counts must be positive");
  if (chip_ms_given && !o.latency_model && !o.hardware_estimate)
    usage("--chip-ms sets the chip times of --latency-model or --hardware-estimate");
  if (o.latency_model && o.hardware_estimate)
    usage("--latency-model measures what --hardware-estimate estimates: use one of them");
  if (o.latency_model &&
      (o.spi_hz > 30e6 || o.spi_hz != static_cast<double>(static_cast<uint32_t>(o.spi_hz))))
    usage("with --latency-model, --spi-hz must be a whole number of Hz up to 30000000");
  return o;
}

sim::CounterSnapshot chip_counters(const std::string& state) {
  return sim::Counters::read_file(state + ".counters");
}

// The device string of a benchmark chip: the state file, with the latency
// model's options when it is on.
std::string device_of(const std::string& state, const Options& opt) {
  simulated_links::SimLinkOptions sim;
  if (opt.latency_model) {
    sim.modelled = true;
    sim.spi_clock_hz = static_cast<uint32_t>(opt.spi_hz);
    sim.chip_times = opt.chip_times;
  }
  return "sim:" + state + sim.options_text();
}

size_t persistent_objects(const std::string& state) {
  transport::Device dev(simulated_links::all_links().open("sim:" + state));
  return dev.object_ids().size();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

void add(sim::CounterSnapshot& sum, const sim::CounterSnapshot& d) {
  for (int i = 0; i < 256; ++i) sum.commands[i] += d.commands[i];
  sum.bytes_to_chip += d.bytes_to_chip;
  sum.bytes_from_chip += d.bytes_from_chip;
  sum.frame_errors += d.frame_errors;
}

// A slice of one mode's handshakes; its time and counters add to the mode's
// current repetition.
void run_slice(Mode& m, int n, double& seconds) {
  std::vector<sim::CounterSnapshot> before;
  for (const auto& c : m.chips) before.push_back(chip_counters(c));
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    auto h0 = std::chrono::steady_clock::now();
    run_handshake(m.client.get(), m.server.get());
    m.latencies_ms.at(m.recorded++) =
        (std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - h0).count());
  }
  seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  m.handshakes += static_cast<uint64_t>(n);
  for (size_t i = 0; i < m.chips.size(); ++i) add(m.delta, chip_counters(m.chips[i]) - before[i]);
}

// One repetition: every mode runs `handshakes`, interleaved in slices of a few
// handshakes (the first mode rotating each round) so that the drift of a
// shared machine, which moves over seconds, hits every mode alike.
void run_repetition(std::vector<Mode>& modes, int handshakes, int slice) {
  std::vector<double> seconds(modes.size(), 0.0);
  int round = 0;
  for (int done = 0; done < handshakes; done += slice, ++round) {
    int n = std::min(slice, handshakes - done);
    for (size_t k = 0; k < modes.size(); ++k) {
      size_t i = (k + static_cast<size_t>(round)) % modes.size();
      run_slice(modes[i], n, seconds[i]);
    }
  }
  for (size_t i = 0; i < modes.size(); ++i) modes[i].rates.push_back(handshakes / seconds[i]);
}

}  // namespace

int run(int argc, char** argv) {
  Options opt = parse(argc, argv);
  char tmpl[] = "/tmp/maxq1061-bench.XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("cannot create a temp dir");
  std::string work = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{work};

  // The benchmark's chips are its own: the provider's environment override
  // would point every context at one device.
  unsetenv("MAXQ1061_DEVICE");
  LibraryContext sw = LibraryContext::software();
  TestCa ca(sw.get());
  auto chip = [&](const std::string& name, bool full) {
    std::string state = work + "/" + name + ".state";
    return LibraryContext::with_chip(opt.module_dir, work, {state, full, device_of(state, opt)});
  };
  auto wanted = [&](const char* name) {
    return std::find(opt.modes.begin(), opt.modes.end(), name) != opt.modes.end();
  };
  auto identity_of = [&](const LibraryContext& ctx, bool on_chip, const std::string& cn) {
    Identity id;
    id.key = make_key(ctx, opt.curve, on_chip, 0x0101);
    id.cert = ca.issue(id.key.get(), cn);
    return id;
  };
  auto server = [&](const LibraryContext& ctx, const Identity& id) {
    return make_ssl_ctx(ctx, true, opt.tls, opt.curve, id, ca);
  };
  auto client = [&](const LibraryContext& ctx, const Identity& id) {
    return make_ssl_ctx(ctx, false, opt.tls, opt.curve, id, ca);
  };
  Identity soft_client = identity_of(sw, false, "client");
  Identity soft_server = identity_of(sw, false, "server");

  // Contexts and keys outlive the SSL_CTXs that use them (declared first); a
  // deque keeps them in place as modes are added.
  std::deque<LibraryContext> contexts;
  std::deque<Identity> identities;
  auto on_chip = [&](const std::string& name, bool full, const std::string& cn) {
    contexts.push_back(chip(name, full));
    identities.push_back(identity_of(contexts.back(), true, cn));
    return std::make_pair(&contexts.back(), &identities.back());
  };
  std::vector<Mode> modes;
  auto add_mode = [&](const char* name, SslCtxPtr c, SslCtxPtr s, std::vector<std::string> chips) {
    modes.emplace_back();
    Mode& m = modes.back();
    m.name = name;
    m.client = std::move(c);
    m.server = std::move(s);
    m.chips = std::move(chips);
  };
  add_mode("software", client(sw, soft_client), server(sw, soft_server), {});
  if (wanted("identity")) {
    auto [ctx, id] = on_chip("identity", false, "client");
    add_mode("identity", client(*ctx, *id), server(sw, soft_server), {ctx->chip_state()});
  }
  if (wanted("full")) {
    auto [ctx, id] = on_chip("full", true, "client");
    add_mode("full", client(*ctx, *id), server(sw, soft_server), {ctx->chip_state()});
  }
  // Not a default mode: software keys in a context that merely loads the
  // provider, which shows what the provider costs by being there.
  if (wanted("loaded")) {
    contexts.push_back(chip("loaded", false));
    identities.push_back(identity_of(contexts.back(), false, "client"));
    add_mode("loaded", client(contexts.back(), identities.back()), server(sw, soft_server), {});
  }
  if (wanted("both-ends")) {
    auto [cctx, cid] = on_chip("both-client", false, "client");
    auto [sctx, sid] = on_chip("both-server", false, "server");
    add_mode("both-ends", client(*cctx, *cid), server(*sctx, *sid),
             {cctx->chip_state(), sctx->chip_state()});
  }

  // Warm up (loads algorithms, seeds DRBGs, creates slot pools), then measure.
  for (Mode& m : modes) run_handshake(m.client.get(), m.server.get());
  for (Mode& m : modes)
    for (const auto& c : m.chips) m.objects_before += persistent_objects(c);
  // The benchmark's own records must not count as the provider's growth.
  for (Mode& m : modes) {
    m.latencies_ms.assign(static_cast<size_t>(opt.reps) * static_cast<size_t>(opt.handshakes), 0.0);
    m.rates.reserve(static_cast<size_t>(opt.reps));
  }
  MemoryUsage mem_before = memory_usage();
  for (int rep = 0; rep < opt.reps; ++rep) run_repetition(modes, opt.handshakes, kSliceHandshakes);
  MemoryUsage mem_after = memory_usage();
  for (Mode& m : modes)
    for (const auto& c : m.chips) m.objects_after += persistent_objects(c);

  unsigned field = opt.curve == "P-384" ? 48 : 32;
  double base = percentile(modes[0].rates, 0.5);
  // The chip time of one signature: with the model on, no handshake with a
  // chip key can be faster (the bench_quick_latency_model test checks it).
  const double sign_ms =
      sim::command_time_ms(static_cast<uint8_t>(wire::Command::SignVerify), field, opt.chip_times);
  // The chip times in force, when --chip-ms changed any ("" = all MODELLED).
  const std::string chip_ms = sim::format_chip_times(opt.chip_times);
  if (opt.json) {
    std::string model = "null";
    if (opt.latency_model) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "{\"spi_clock_hz\":%.0f,\"sign_ms\":%.3f,\"chip_ms\":\"",
                    opt.spi_hz, sign_ms);
      model = buf + chip_ms + "\"}";
    }
    std::printf(
        "{\"tls\":\"1.%d\",\"curve\":\"%s\",\"reps\":%d,\"handshakes_per_rep\":%d,"
        "\"latency_model\":%s,"
        "\"rss_kib_before\":%llu,\"rss_kib_after\":%llu,\"peak_rss_kib\":%llu,\"modes\":[",
        opt.tls % 10, opt.curve.c_str(), opt.reps, opt.handshakes, model.c_str(),
        static_cast<unsigned long long>(mem_before.rss_kib),
        static_cast<unsigned long long>(mem_after.rss_kib),
        static_cast<unsigned long long>(mem_after.peak_kib));
  } else {
    std::printf("TLS 1.%d, %s, %d reps x %d handshakes per mode (interleaved)\n", opt.tls % 10,
                opt.curve.c_str(), opt.reps, opt.handshakes);
    if (opt.latency_model)
      std::printf(
          "Latency model on: every chip takes as long as the MODELLED part "
          "(simulator/latency_model.h), SPI at %.0f Hz%s%s\n",
          opt.spi_hz, chip_ms.empty() ? "" : ", chip times ", chip_ms.c_str());
    std::printf("\n");
    std::printf("%-10s %9s %6s %8s %8s %9s %9s %9s %8s  %s\n", "mode", "hs/s", "ratio", "p50 ms",
                "p99 ms", "cmds/hs", "SPI out", "SPI in", "objects", "chip commands per handshake");
  }
  for (size_t i = 0; i < modes.size(); ++i) {
    Mode& m = modes[i];
    double rate = percentile(m.rates, 0.5);
    double hs = static_cast<double>(m.handshakes);
    std::string by_code;
    for (int code = 0; code < 256; ++code) {
      if (!m.delta.commands[code]) continue;
      char buf[96];
      std::snprintf(buf, sizeof buf, opt.json ? "%s\"%s\":%.3f" : "%s%s %.2f",
                    by_code.empty() ? "" : ", ",
                    std::string(wire::command_name(static_cast<uint8_t>(code))).c_str(),
                    static_cast<double>(m.delta.commands[code]) / hs);
      by_code += buf;
    }
    long long new_objects =
        static_cast<long long>(m.objects_after) - static_cast<long long>(m.objects_before);
    HardwareEstimate est =
        estimate_hardware(m.delta, m.handshakes, field, opt.spi_hz, opt.chip_times);
    double p50 = percentile(m.latencies_ms, 0.5);
    if (opt.json) {
      std::printf(
          "%s{\"mode\":\"%s\",\"handshakes_per_s\":%.1f,\"ratio\":%.3f,\"p50_ms\":%.3f,"
          "\"p99_ms\":%.3f,\"chip_commands_per_handshake\":%.3f,\"by_command\":{%s},"
          "\"spi_bytes_to_chip\":%.1f,\"spi_bytes_from_chip\":%.1f,\"new_objects\":%lld,"
          "\"estimate_bus_ms\":%.2f,\"estimate_chip_ms\":%.2f",
          i ? "," : "", m.name.c_str(), rate, rate / base, p50, percentile(m.latencies_ms, 0.99),
          static_cast<double>(m.delta.total_commands()) / hs, by_code.c_str(),
          static_cast<double>(m.delta.bytes_to_chip) / hs,
          static_cast<double>(m.delta.bytes_from_chip) / hs, new_objects, est.bus_ms, est.chip_ms);
      // With the model on, p50 already holds the bus and chip time.
      if (!opt.latency_model)
        std::printf(",\"estimate_handshake_ms\":%.2f", p50 + est.bus_ms + est.chip_ms);
      std::printf("}");
    } else {
      std::printf("%-10s %9.1f %6.3f %8.3f %8.3f %9.2f %9.1f %9.1f %+8lld  %s\n", m.name.c_str(),
                  rate, rate / base, p50, percentile(m.latencies_ms, 0.99),
                  static_cast<double>(m.delta.total_commands()) / hs,
                  static_cast<double>(m.delta.bytes_to_chip) / hs,
                  static_cast<double>(m.delta.bytes_from_chip) / hs, new_objects,
                  by_code.empty() ? "-" : by_code.c_str());
    }
  }
  if (opt.json) {
    std::printf("]}\n");
  } else {
    std::printf(
        "\nRSS %llu KiB -> %llu KiB (growth %lld KiB), peak %llu KiB\n",
        static_cast<unsigned long long>(mem_before.rss_kib),
        static_cast<unsigned long long>(mem_after.rss_kib),
        static_cast<long long>(mem_after.rss_kib) - static_cast<long long>(mem_before.rss_kib),
        static_cast<unsigned long long>(mem_after.peak_kib));
    if (opt.hardware_estimate) {
      std::printf(
          "\nEstimated handshake on real hardware at %.0f Hz SPI (%s chip times, "
          "see bench/README.md):\n",
          opt.spi_hz, chip_ms.empty() ? "MODELLED" : chip_ms.c_str());
      for (Mode& m : modes) {
        HardwareEstimate est =
            estimate_hardware(m.delta, m.handshakes, field, opt.spi_hz, opt.chip_times);
        double p50 = percentile(m.latencies_ms, 0.5);
        std::printf("  %-10s host %7.2f ms + bus %7.2f ms + chip %7.2f ms = %7.2f ms\n",
                    m.name.c_str(), p50, est.bus_ms, est.chip_ms, p50 + est.bus_ms + est.chip_ms);
      }
    }
    if (opt.latency_model) {
      std::printf(
          "\nMeasured with the latency model, next to the split estimated from the "
          "counters (%s):\n",
          chip_ms.empty() ? "MODELLED" : chip_ms.c_str());
      for (Mode& m : modes) {
        HardwareEstimate est =
            estimate_hardware(m.delta, m.handshakes, field, opt.spi_hz, opt.chip_times);
        std::printf("  %-10s p50 %7.2f ms   bus %7.2f ms + chip %7.2f ms\n", m.name.c_str(),
                    percentile(m.latencies_ms, 0.5), est.bus_ms, est.chip_ms);
      }
      std::printf(
          "Bus time counts every clocked byte, including the polls the host clocks while "
          "the chip\nworks, so bus and chip overlap: p50 ~ host time + bus time, and "
          "p50 >= chip time.\n");
    }
  }
  return 0;
}

}  // namespace maxq::bench

int main(int argc, char** argv) {
  try {
    return maxq::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "maxq1061-bench: %s\n", e.what());
    return 1;
  }
}
