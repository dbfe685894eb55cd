// A provisioned chip reached over the unix link: every device session is a
// `maxq1061-sim` process of its own on the chip's state file (a session is a
// chip instance, as with a process of its own), reached through its socket.
// TempChip when a suite is built with MAXQ_TEST_LINK=MAXQ_TEST_LINK_UNIX_DAEMON
// (test/support/temp_chip.h; the target defines MAXQ_SIM_DAEMON_PATH).
// chip_of() returns a Chip instance of this process on the same state file:
// its counters are the daemon's (they live in a shared file), but faults set on
// it do not reach the daemon, so the fault tests are left out of that target.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "simulated_links/unix_socket_bus.h"
#include "simulator/chip.h"
#include "simulator/sim_daemon_test_support.h"
#include "test/support/credentialed_chip.h"
#include "transport/device.h"
#include "transport/spi_link.h"

namespace maxq::testing {

// The daemon's bus, plus this process's view of the chip behind it.
class ObservedUnixBus : public transport::UnixSocketBus {
 public:
  ObservedUnixBus(const std::string& sock, const std::string& state)
      : UnixSocketBus(sock), observer_(sim::Chip::open(state)) {}
  sim::Chip& observer() { return *observer_; }

 private:
  std::unique_ptr<sim::Chip> observer_;
};

struct UnixDaemonChip : CredentialedChip {
  // Stopped (SIGKILL) and reaped before the directory goes.
  mutable std::vector<std::unique_ptr<sim::testing::DaemonProcess>> daemons;

  std::unique_ptr<transport::Device> open_device(transport::SpiLinkOptions options = {}) const {
    std::string sock = dir.file("s" + std::to_string(daemons.size()) + ".sock");
    daemons.push_back(sim::testing::DaemonProcess::serve(state, sock));
    return std::make_unique<transport::Device>(std::make_unique<transport::SpiLink>(
        std::make_unique<ObservedUnixBus>(sock, state), options));
  }
  static sim::Chip& chip_of(transport::Device& dev) {
    auto& link = dynamic_cast<transport::SpiLink&>(dev.link());
    return dynamic_cast<ObservedUnixBus&>(link.bus()).observer();
  }
};

}  // namespace maxq::testing
