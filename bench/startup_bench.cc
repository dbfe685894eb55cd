// Start-up benchmark (issue 16): what a short-lived process pays for having the
// provider loaded. Whole-process CPU time of the `openssl` binary, with the
// provider loaded through an openssl.cnf against the same command without it,
// run interleaved (A B, B A, ...) so machine drift hits both alike:
//   version   `openssl version`: loading the module and initialising it
//   sign      a one-shot `openssl dgst -sha256 -sign` with a chip key (key
//             reference file, simulated chip) against a software key
//   sign-sw   the software key with the provider loaded (what merely loading
//             the provider adds to a sign that does not use it)
//   sign-unix the chip key on `unix:`, the same simulated chip served by
//             maxq1061-sim in a process of its own: the chip's work is not in
//             the measured process, as with a real chip behind its bridge
//   s_client  a one-shot mutual-TLS `openssl s_client` with the client key on
//             the chip against a software client key, to a local s_server
// See bench/README.md ("Start-up") for the figures.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/child_cpu.h"
#include "posix/unix_socket_probe.h"

#ifndef MAXQ_BENCH_MODULE_DIR
#define MAXQ_BENCH_MODULE_DIR "build/provider"
#endif
#ifndef MAXQ_BENCH_TOOL_PATH
#define MAXQ_BENCH_TOOL_PATH "build/tools/maxq1061-tool"
#endif
#ifndef MAXQ_BENCH_SIM_DAEMON_PATH
#define MAXQ_BENCH_SIM_DAEMON_PATH "build/simulator/maxq1061-sim"
#endif

namespace maxq::bench {
namespace {

namespace fs = std::filesystem;

struct Options {
  int reps = 30;
  bool json = false;
  bool keep = false;  // leave the temp directory (keys, configurations) for a look
  std::string openssl = "openssl";
  std::string module_dir = MAXQ_BENCH_MODULE_DIR;
  std::string tool = MAXQ_BENCH_TOOL_PATH;
  std::string sim_daemon = MAXQ_BENCH_SIM_DAEMON_PATH;
  std::vector<std::string> cases = {"version", "sign", "sign-sw", "sign-unix", "s_client"};
};

[[noreturn]] void usage(const char* msg) {
  std::FILE* out = msg[0] ? stderr : stdout;
  if (msg[0]) std::fprintf(out, "%s\n", msg);
  std::fprintf(
      out,
      "usage: maxq1061-startup-bench [--reps N] [--quick] [--json] [--keep] [--openssl PATH] "
      "[--module-dir DIR] [--tool PATH] [--sim-daemon PATH] "
      "[--cases version,sign,sign-sw,sign-unix,s_client]\n");
  std::exit(msg[0] ? 2 : 0);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage((a + " needs a value").c_str());
      return argv[++i];
    };
    if (a == "--reps") {
      o.reps = std::atoi(value().c_str());
      if (o.reps < 1 || o.reps > 10000) usage("--reps: 1 to 10000");
    } else if (a == "--quick") {
      o.reps = 3;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--keep") {
      o.keep = true;
    } else if (a == "--openssl") {
      o.openssl = value();
    } else if (a == "--module-dir") {
      o.module_dir = value();
    } else if (a == "--tool") {
      o.tool = value();
    } else if (a == "--sim-daemon") {
      o.sim_daemon = value();
    } else if (a == "--cases") {
      o.cases.clear();
      std::string list = value();
      for (size_t pos = 0; pos <= list.size();) {
        size_t end = std::min(list.find(',', pos), list.size());
        std::string c = list.substr(pos, end - pos);
        if (c != "version" && c != "sign" && c != "sign-sw" && c != "sign-unix" && c != "s_client")
          usage(("--cases: unknown case '" + c + "'").c_str());
        o.cases.push_back(c);
        pos = end + 1;
      }
    } else if (a == "--help" || a == "-h") {
      usage("");
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  return o;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A temp directory with a provisioned simulated chip, a chip key, software
// keys, certificates and the two configurations.
class Fixture {
 public:
  explicit Fixture(const Options& o) : o_(o) {
    char tmpl[] = "/tmp/maxq1061-startup.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    build();
  }
  ~Fixture() {
    stop_child(server_pid_);
    stop_child(sim_pid_);
    std::error_code ec;
    if (o_.keep)
      std::fprintf(stderr, "kept %s\n", dir_.c_str());
    else
      fs::remove_all(dir_, ec);
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // Environment of a measured child: the configuration, and no device override.
  std::vector<std::string> env(const std::string& conf) const {
    return {"OPENSSL_CONF=" + path(conf), "MAXQ1061_DEVICE", "OPENSSL_MODULES", "MAXQ1061_DEBUG"};
  }
  int port() const { return port_; }

  void start_server() {
    server_pid_ = start_child({o_.openssl, "s_server", "-accept", "127.0.0.1:0", "-cert",
                               path("server.pem"), "-key", path("server.key"), "-Verify", "1",
                               "-CAfile", path("ca.pem"), "-verify_return_error", "-www"},
                              env("without.cnf"), path("server.out"));
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      std::ifstream in(path("server.out"));
      std::string line;
      while (std::getline(in, line))
        if (line.rfind("ACCEPT 127.0.0.1:", 0) == 0) port_ = std::atoi(line.c_str() + 17);
    }
    if (port_ == 0) throw std::runtime_error("s_server did not start (see " + path("server.out"));
  }

  // maxq1061-sim serving the chip on the socket of with-unix.cnf.
  void start_sim_daemon() {
    const std::string socket = path("chip.sock");
    sim_pid_ = start_child({o_.sim_daemon, "--state", path("chip.state"), "--socket", socket},
                           env("without.cnf"), path("sim.out"));
    bool ready = false;
    for (int i = 0; i < 200 && !(ready = posix::accepts_connections(socket)); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (!ready)
      throw std::runtime_error("maxq1061-sim did not start (see " + path("sim.out") + ")");
  }

 private:
  void build() {
    const std::string ossl = quote(o_.openssl), d = quote(dir_.string());
    const std::string chip = "sim:" + path("chip.state");
    const std::string env = "OPENSSL_CONF=/dev/null MAXQ1061_DEVICE=" + quote(chip) + " ";
    const std::string p =
        " -provider-path " + quote(o_.module_dir) + " -provider maxq1061 -provider default ";
    run_setup(env + quote(o_.tool) + " init");
    run_setup(env + ossl + " genpkey" + p +
              "-propquery provider=maxq1061 -algorithm EC -pkeyopt group:P-256 "
              "-pkeyopt id:0x0101 -out " +
              d + "/chip.ref.pem");
    run_setup(env + ossl +
              " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 "
              "-subj /CN=startup-CA -addext basicConstraints=critical,CA:TRUE "
              "-addext keyUsage=critical,keyCertSign -keyout " +
              d + "/ca.key -out " + d + "/ca.pem");
    write_file(dir_ / "leaf.ext",
               "basicConstraints = critical, CA:FALSE\n"
               "keyUsage = critical, digitalSignature\n");
    run_setup(env + ossl + " genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + d +
              "/soft.key");
    run_setup(env + ossl + " genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + d +
              "/server.key");
    struct Leaf {
      const char* name;
      const char* key;
      bool chip;
    };
    for (Leaf leaf :
         {Leaf{"client-chip", "chip.ref.pem", true}, Leaf{"client-soft", "soft.key", false},
          Leaf{"server", "server.key", false}}) {
      std::string n = d + "/" + leaf.name;
      run_setup(env + ossl + " req" + (leaf.chip ? p : std::string(" ")) + "-new -key " + d + "/" +
                leaf.key + " -subj /CN=" + leaf.name + " -out " + n + ".csr");
      run_setup(env + ossl + " x509 -req -in " + n + ".csr -CA " + d + "/ca.pem -CAkey " + d +
                "/ca.key -CAcreateserial -days 1 -extfile " + d + "/leaf.ext -out " + n + ".pem");
    }
    write_file(dir_ / "data", std::string(1000, 'x'));
    write_file(dir_ / "request", "GET / HTTP/1.0\r\n\r\n");
    const std::string head =
        "openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
        "[default_sect]\nactivate = 1\n";
    write_file(dir_ / "without.cnf", head + "[provider_sect]\ndefault = default_sect\n");
    for (const auto& [name, device] : {std::pair<std::string, std::string>{"with.cnf", chip},
                                       {"with-unix.cnf", "unix:" + path("chip.sock")}})
      write_file(dir_ / name,
                 head +
                     "[provider_sect]\ndefault = default_sect\nmaxq1061 = maxq1061_sect\n"
                     "[maxq1061_sect]\nmodule = " +
                     fs::absolute(fs::path(o_.module_dir) / "maxq1061.so").string() +
                     "\nactivate = 1\ndevice = " + device + "\n");
  }

  const Options& o_;
  fs::path dir_;
  int server_pid_ = 0;
  int sim_pid_ = 0;
  int port_ = 0;
};

// One row of the report: a job with the provider loaded (a) against one
// without it (b).
struct Case {
  Case(std::string n, std::string a, std::string b, std::vector<std::string> a_args,
       std::vector<std::string> b_args)
      : name(std::move(n)),
        a_label(std::move(a)),
        b_label(std::move(b)),
        a_argv(std::move(a_args)),
        b_argv(std::move(b_args)) {}
  std::string name, a_label, b_label;
  std::vector<std::string> a_argv, b_argv;
  std::string a_conf = "with.cnf";  // B runs with without.cnf
  std::vector<double> a_ms, b_ms;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::vector<Case> make_cases(const Options& o, const Fixture& f) {
  std::vector<Case> out;
  auto sign = [&](const std::string& key) {
    return std::vector<std::string>{o.openssl,   "dgst", "-sha256",   "-sign",
                                    f.path(key), "-out", "/dev/null", f.path("data")};
  };
  auto client = [&](const std::string& name, const std::string& key) {
    return std::vector<std::string>{o.openssl,
                                    "s_client",
                                    "-connect",
                                    "127.0.0.1:" + std::to_string(f.port()),
                                    "-cert",
                                    f.path(name + ".pem"),
                                    "-key",
                                    f.path(key),
                                    "-CAfile",
                                    f.path("ca.pem"),
                                    "-verify_return_error",
                                    "-brief",
                                    "-ign_eof"};
  };
  auto vec = [](std::initializer_list<std::string> l) { return std::vector<std::string>(l); };
  for (const std::string& c : o.cases) {
    if (c == "version")
      out.push_back(Case(c, "provider loaded", "no provider", vec({o.openssl, "version"}),
                         vec({o.openssl, "version"})));
    else if (c == "sign")
      out.push_back(Case(c, "chip key", "software key", sign("chip.ref.pem"), sign("soft.key")));
    else if (c == "sign-sw")
      out.push_back(Case(c, "software key, provider loaded", "software key", sign("soft.key"),
                         sign("soft.key")));
    else if (c == "sign-unix") {
      out.push_back(Case(c, "chip key, chip in maxq1061-sim", "software key", sign("chip.ref.pem"),
                         sign("soft.key")));
      out.back().a_conf = "with-unix.cnf";
    } else if (c == "s_client")
      out.push_back(Case(c, "chip client key", "software client key",
                         client("client-chip", "chip.ref.pem"), client("client-soft", "soft.key")));
  }
  return out;
}

void measure(const Fixture& f, Case& c, bool a_first, bool record) {
  auto once = [&](bool a) {
    ChildRun r = run_child(a ? c.a_argv : c.b_argv, f.env(a ? c.a_conf : "without.cnf"),
                           f.path("request"), f.path("child.out"));
    if (r.exit_status != 0)
      throw std::runtime_error(c.name + " (" + (a ? c.a_label : c.b_label) + ") exited with " +
                               std::to_string(r.exit_status) + ":\n" +
                               read_file(f.path("child.out")));
    if (record) (a ? c.a_ms : c.b_ms).push_back(r.cpu_ms);
  };
  once(a_first);
  once(!a_first);
}

int run(int argc, char** argv) {
  Options o = parse(argc, argv);
  Fixture f(o);
  if (std::find(o.cases.begin(), o.cases.end(), "s_client") != o.cases.end()) f.start_server();
  if (std::find(o.cases.begin(), o.cases.end(), "sign-unix") != o.cases.end()) f.start_sim_daemon();
  std::vector<Case> cases = make_cases(o, f);
  constexpr int kWarmup = 2;  // page cache, the chip's state file
  for (int rep = 0; rep < kWarmup + o.reps; ++rep)
    for (Case& c : cases) measure(f, c, rep % 2 == 0, rep >= kWarmup);

  if (o.json) {
    std::printf("{\"reps\":%d,\"cases\":[", o.reps);
    for (size_t i = 0; i < cases.size(); ++i) {
      const Case& c = cases[i];
      double a = median(c.a_ms), b = median(c.b_ms);
      std::printf("%s{\"case\":\"%s\",\"with_ms\":%.3f,\"without_ms\":%.3f,\"ratio\":%.3f}",
                  i ? "," : "", c.name.c_str(), a, b, a / b);
    }
    std::printf("]}\n");
    return 0;
  }
  std::printf("whole-process CPU time (user+sys), median of %d interleaved runs each\n\n", o.reps);
  std::printf("%-9s %-31s %9s  %-20s %9s  %6s\n", "case", "A", "A ms", "B", "B ms", "A/B");
  for (const Case& c : cases) {
    double a = median(c.a_ms), b = median(c.b_ms);
    std::printf("%-9s %-31s %9.2f  %-20s %9.2f  %6.3f\n", c.name.c_str(), c.a_label.c_str(), a,
                c.b_label.c_str(), b, a / b);
  }
  return 0;
}

}  // namespace
}  // namespace maxq::bench

int main(int argc, char** argv) {
  try {
    return maxq::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "maxq1061-startup-bench: %s\n", e.what());
    return 1;
  }
}
