// maxq1061d: owns one MAXQ1061 and serves every process on the machine that
// uses it (device broker:PATH). See broker/README.md.
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "broker/broker_log.h"
#include "broker/broker_options.h"
#include "broker/broker_server.h"
#include "broker/chip_broker.h"
#include "broker/device_owner.h"
#include "broker/listen_socket.h"
#include "simulated_links/simulated_links.h"
#include "transport/device_spec.h"

namespace {

using namespace maxq::broker;
namespace transport = maxq::transport;

// Detaches from the terminal once the socket is ready: the parent exits 0 so
// a shell or an init script sees a daemon that can already be reached.
bool detach(const Log& log) {
  pid_t pid = ::fork();
  if (pid < 0) {
    log.error(std::string("fork: ") + std::strerror(errno));
    return false;
  }
  if (pid > 0) ::_exit(0);
  ::setsid();
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (null.valid()) {
    ::dup2(null.get(), 0);
    ::dup2(null.get(), 1);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  BrokerOptions options;
  try {
    options = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "maxq1061d: %s\n\n%s", e.what(), kUsage);
    return 2;
  }
  if (options.help) {
    std::fputs(kUsage, stderr);
    return 0;
  }
  // SIGTERM/SIGINT arrive on a descriptor the accept loop polls (no handler,
  // no global flag); clients that vanish must not kill the daemon (SIGPIPE).
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  if (sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) {
    std::perror("maxq1061d: sigprocmask");
    return 1;
  }
  UniqueFd stop_fd(signalfd(-1, &stop, SFD_CLOEXEC));
  if (!stop_fd.valid()) {
    std::perror("maxq1061d: signalfd");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);

  Log log(options.verbose);
  try {
    transport::LinkRegistry links = maxq::simulated_links::all_links();
    transport::DeviceSpec spec = links.parse(options.device);
    UniqueFd listen_fd = activated_socket();
    bool bound_here = false;
    std::string socket_path;
    if (listen_fd.valid()) {
      socket_path = socket_path_of(listen_fd.get());
      log.info("listening on " + socket_path + " (passed by systemd)");
    } else {
      listen_fd = listen_on({options.socket, options.group, options.socket_mode});
      bound_here = true;
      socket_path = options.socket;
    }
    // The socket file goes with the daemon that made it.
    struct Unlink {
      std::string path;
      ~Unlink() {
        if (!path.empty()) ::unlink(path.c_str());
      }
    } unlink_socket{bound_here ? socket_path : std::string()};

    if (!options.foreground && !detach(log)) return 1;
    DeviceOwner device(links, spec, log);
    ChipBroker broker(device, options.isolation, log);
    device.set_on_open([&broker](transport::Device& d) { broker.on_device_open(d); });
    // Opened now when it can be; an unplugged device is retried per command.
    if (device.ensure_open()) log.info("device " + spec.to_string() + " open");
    ServerSettings server = options.server;
    server.group = options.group;
    log.info("serving " + spec.to_string() + " on " + socket_path + " (at most " +
             std::to_string(server.max_clients) + " clients" +
             (options.group ? ", group " + options.group_text : std::string()) + ")");
    BrokerServer(std::move(listen_fd), server, broker, log).serve(stop_fd.get());
  } catch (const std::exception& e) {
    log.error(e.what());
    return 1;
  }
  log.info("stopped");
  return 0;
}
