// maxq1061-broker-bench: one chip shared through maxq1061d.
//   1. the daemon's own cost per command: the same commands (ping, sign) on
//      the direct sim: link and through broker:PATH to a daemon serving that
//      chip, interleaved in slices, in the same run;
//   2. load: N client processes x M signatures through one daemon, each
//      signature verified in software; throughput and p50/p99 latency per
//      client. Any failure or bad signature makes the exit status 1, so ctest
//      runs it with modest numbers as the broker's load test.
// See bench/README.md ("Several processes, one chip").
#include <openssl/rand.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/broker_test_support.h"
#include "simulated_links/simulated_links.h"
#include "transport/broker_link.h"
#include "transport/signature_check.h"

using namespace maxq;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  unsigned clients = 32;
  unsigned signatures = 200;
  unsigned overhead_commands = 2000;
  bool json = false;
};

constexpr const char* kUsage =
    "usage: maxq1061-broker-bench [--clients N] [--signatures M] [--overhead-commands K] [--json]\n"
    "  --clients N            client processes in the load phase (default 32)\n"
    "  --signatures M         signatures per client (default 200)\n"
    "  --overhead-commands K  pings and signatures each way for the overhead phase (default 2000)\n"
    "  --json                 one JSON object on stdout instead of the table\n";

double us_since(Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

Bytes random_digest() {
  Bytes d(32);
  if (RAND_bytes(d.data(), static_cast<int>(d.size())) != 1) throw std::runtime_error("RAND_bytes");
  return d;
}

std::unique_ptr<transport::Device> open(const std::string& device) {
  return std::make_unique<transport::Device>(simulated_links::all_links().open(device));
}

struct Overhead {
  double direct_ping_us, broker_ping_us, direct_sign_us, broker_sign_us;
};

// Median microseconds per command of `op` on each device, in slices of 50
// alternating between them so drift hits both alike.
template <typename Op>
std::pair<double, double> compare(transport::Device& direct, transport::Device& brokered,
                                  unsigned n, Op&& op) {
  std::vector<double> a, b;
  for (unsigned done = 0; done < n; done += 50) {
    for (int side = 0; side < 2; ++side) {
      transport::Device& dev = (done / 50 + side) % 2 ? brokered : direct;
      std::vector<double>& out = &dev == &direct ? a : b;
      for (unsigned i = 0; i < 50; ++i) {
        auto t = Clock::now();
        op(dev);
        out.push_back(us_since(t));
      }
    }
  }
  return {percentile(a, 0.5), percentile(b, 0.5)};
}

struct ClientResult {
  uint32_t ok = 0, failed = 0, bad = 0;
  double p50_us = 0, p99_us = 0;
};

// One load client (a forked process): M signatures, each verified.
ClientResult run_client(const std::string& device, const transport::PublicKey& pub, unsigned m) {
  ClientResult r;
  std::vector<double> lat;
  transport::SignatureCheck check;
  std::unique_ptr<transport::Device> dev;
  for (unsigned i = 0; i < m; ++i) {
    Bytes digest = random_digest();
    auto t = Clock::now();
    try {
      if (!dev) dev = open(device);
      Bytes sig = dev->sign(0x0101, digest);
      lat.push_back(us_since(t));
      if (check.verify(pub.curve, pub.xy, digest, sig))
        ++r.ok;
      else
        ++r.bad;
    } catch (const std::exception& e) {
      ++r.failed;
      std::fprintf(stderr, "client %d: %s\n", static_cast<int>(getpid()), e.what());
    }
  }
  r.p50_us = percentile(lat, 0.5);
  r.p99_us = percentile(lat, 0.99);
  return r;
}

int run(const Args& a) {
  maxq::testing::ProvisionedChip chip;
  const std::string direct_device = "sim:" + chip.state;
  const std::string socket = chip.dir.file("broker.sock");
  auto key_import = transport::CredentialKey::load(chip.state + ".key-import.pem",
                                                   transport::CredentialKey::Kind::KeyImport);
  auto admin =
      transport::CredentialKey::load(chip.admin_key, transport::CredentialKey::Kind::Admin);
  transport::PublicKey pub;
  {
    auto dev = open(direct_device);
    dev->as_admin(admin, [&] {
      dev->create_object(transport::ObjectSpec::key_pair(0x0101, wire::Curve::P256));
      pub = dev->generate_key(0x0101, wire::Curve::P256, key_import);
    });
  }
  auto daemon = broker::testing::start_broker(direct_device, socket,
                                              {"--max-clients", std::to_string(a.clients + 8)});
  const std::string broker_device = "broker:" + socket;

  // 1. Overhead per command.
  Overhead o{};
  {
    auto direct = open(direct_device);
    auto brokered = open(broker_device);
    const Bytes payload(16, 0x42);
    const Bytes digest = random_digest();
    auto ping = compare(*direct, *brokered, a.overhead_commands,
                        [&](transport::Device& d) { d.ping(payload); });
    auto sign = compare(*direct, *brokered, a.overhead_commands / 4,
                        [&](transport::Device& d) { d.sign(0x0101, digest); });
    o = {ping.first, ping.second, sign.first, sign.second};
  }

  // 2. Load: N processes started together.
  int go[2], results[2];
  if (pipe(go) != 0 || pipe(results) != 0) throw std::runtime_error("pipe");
  std::vector<pid_t> children;
  for (unsigned i = 0; i < a.clients; ++i) {
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork");
    if (pid == 0) {
      close(go[1]);
      char c;
      if (read(go[0], &c, 1) != 0) _exit(3);  // released when the parent closes its end
      ClientResult r = run_client(broker_device, pub, a.signatures);
      _exit(write(results[1], &r, sizeof r) == sizeof r ? 0 : 4);
    }
    children.push_back(pid);
  }
  close(go[0]);
  close(results[1]);
  auto start = Clock::now();
  close(go[1]);
  std::vector<ClientResult> per_client;
  ClientResult r;
  while (read(results[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r)) per_client.push_back(r);
  const double wall_s = us_since(start) / 1e6;
  close(results[0]);
  int bad_exits = 0;
  for (pid_t pid : children) {
    int st = 0;
    waitpid(pid, &st, 0);
    bad_exits += WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
  }
  broker::BrokerStatus status =
      dynamic_cast<transport::BrokerLink&>(open(broker_device)->link()).daemon_status();
  const int stopped = daemon->terminate();

  uint64_t ok = 0, failed = 0, bad = 0;
  std::vector<double> p50s, p99s;
  for (const ClientResult& c : per_client) {
    ok += c.ok;
    failed += c.failed;
    bad += c.bad;
    p50s.push_back(c.p50_us);
    p99s.push_back(c.p99_us);
  }
  const uint64_t expected = static_cast<uint64_t>(a.clients) * a.signatures;
  const bool pass = ok == expected && failed == 0 && bad == 0 && bad_exits == 0 && stopped == 0 &&
                    per_client.size() == a.clients;
  const double throughput = static_cast<double>(ok) / wall_s;
  const double busy_share =
      wall_s > 0 ? static_cast<double>(status.busy_us) / 1e6 / wall_s : 0;  // includes phase 1
  if (a.json) {
    std::printf(
        "{\"overhead\":{\"direct_ping_us\":%.1f,\"broker_ping_us\":%.1f,\"ping_overhead_us\":%.1f,"
        "\"direct_sign_us\":%.1f,\"broker_sign_us\":%.1f,\"sign_overhead_us\":%.1f},"
        "\"load\":{\"clients\":%u,\"signatures_per_client\":%u,\"ok\":%llu,\"failed\":%llu,"
        "\"bad_signatures\":%llu,\"seconds\":%.3f,\"signatures_per_second\":%.1f,"
        "\"client_p50_us\":{\"min\":%.0f,\"median\":%.0f,\"max\":%.0f},"
        "\"client_p99_us\":{\"min\":%.0f,\"median\":%.0f,\"max\":%.0f}},\"pass\":%s}\n",
        o.direct_ping_us, o.broker_ping_us, o.broker_ping_us - o.direct_ping_us, o.direct_sign_us,
        o.broker_sign_us, o.broker_sign_us - o.direct_sign_us, a.clients, a.signatures,
        static_cast<unsigned long long>(ok), static_cast<unsigned long long>(failed),
        static_cast<unsigned long long>(bad), wall_s, throughput, percentile(p50s, 0),
        percentile(p50s, 0.5), percentile(p50s, 1), percentile(p99s, 0), percentile(p99s, 0.5),
        percentile(p99s, 1), pass ? "true" : "false");
  } else {
    std::printf("maxq1061d overhead per command (median, %u commands each way, same chip):\n",
                a.overhead_commands);
    std::printf("  ping 16 B   direct sim: %8.1f us   broker: %8.1f us   overhead %6.1f us\n",
                o.direct_ping_us, o.broker_ping_us, o.broker_ping_us - o.direct_ping_us);
    std::printf("  sign P-256  direct sim: %8.1f us   broker: %8.1f us   overhead %6.1f us\n",
                o.direct_sign_us, o.broker_sign_us, o.broker_sign_us - o.direct_sign_us);
    std::printf("load: %u clients x %u signatures through one daemon\n", a.clients, a.signatures);
    std::printf("  %llu ok, %llu failed, %llu bad signatures in %.2f s: %.0f signatures/s\n",
                static_cast<unsigned long long>(ok), static_cast<unsigned long long>(failed),
                static_cast<unsigned long long>(bad), wall_s, throughput);
    std::printf("  per-client p50: min %.0f  median %.0f  max %.0f us\n", percentile(p50s, 0),
                percentile(p50s, 0.5), percentile(p50s, 1));
    std::printf("  per-client p99: min %.0f  median %.0f  max %.0f us\n", percentile(p99s, 0),
                percentile(p99s, 0.5), percentile(p99s, 1));
    std::printf("  daemon: %llu client commands, chip busy %.0f%% of the load phase\n",
                static_cast<unsigned long long>(status.commands), busy_share * 100);
    std::printf("%s\n", pass ? "PASS" : "FAIL");
  }
  return pass ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto number = [&](unsigned& out, unsigned max) {
      if (i + 1 >= argc) return false;
      std::string v = argv[++i];
      if (v.empty() || v.size() > 7 || v.find_first_not_of("0123456789") != std::string::npos)
        return false;
      out = static_cast<unsigned>(std::stoul(v));
      return out >= 1 && out <= max;
    };
    bool ok = true;
    if (arg == "--clients")
      ok = number(a.clients, 1000);
    else if (arg == "--signatures")
      ok = number(a.signatures, 1000000);
    else if (arg == "--overhead-commands")
      ok = number(a.overhead_commands, 1000000);
    else if (arg == "--json")
      a.json = true;
    else if (arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else
      ok = false;
    if (!ok) {
      std::fprintf(stderr, "maxq1061-broker-bench: bad argument '%s'\n%s", arg.c_str(), kUsage);
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  try {
    return run(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "maxq1061-broker-bench: %s\n", e.what());
    return 1;
  }
}
