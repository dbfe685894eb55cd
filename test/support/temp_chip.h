// Test support: a freshly provisioned simulated chip in a temp directory, and a
// Device talking to it. Removed when it goes away.
//
// Which link a suite reaches the chip over is chosen where the suite is built,
// with the compile definition MAXQ_TEST_LINK:
//   MAXQ_TEST_LINK_IN_PROCESS   (the default) SimBus, the chip in this process
//   MAXQ_TEST_LINK_FTDI_MODEL   the ftdi link over the in-memory FT232H
//                               (test/support/ftdi_model_chip.h)
//   MAXQ_TEST_LINK_UNIX_DAEMON  a maxq1061-sim daemon per session
//                               (test/support/unix_daemon_chip.h)
// TempChip is the chip of the chosen link; InProcessChip is always this one.
#pragma once

#include <memory>
#include <string>

#include "simulated_links/sim_bus.h"
#include "simulator/chip.h"
#include "test/support/credentialed_chip.h"
#include "transport/device.h"
#include "transport/spi_link.h"

#define MAXQ_TEST_LINK_IN_PROCESS 1
#define MAXQ_TEST_LINK_FTDI_MODEL 2
#define MAXQ_TEST_LINK_UNIX_DAEMON 3
#ifndef MAXQ_TEST_LINK
#define MAXQ_TEST_LINK MAXQ_TEST_LINK_IN_PROCESS
#endif

#if MAXQ_TEST_LINK == MAXQ_TEST_LINK_FTDI_MODEL
#include "test/support/ftdi_model_chip.h"
#elif MAXQ_TEST_LINK == MAXQ_TEST_LINK_UNIX_DAEMON
#include "test/support/unix_daemon_chip.h"
#elif MAXQ_TEST_LINK != MAXQ_TEST_LINK_IN_PROCESS
#error "MAXQ_TEST_LINK must be MAXQ_TEST_LINK_IN_PROCESS, _FTDI_MODEL or _UNIX_DAEMON"
#endif

namespace maxq::testing {

struct InProcessChip : CredentialedChip {
  // A new device session on this chip (a separate Chip instance, like another process would have).
  std::unique_ptr<transport::Device> open_device(transport::SpiLinkOptions options = {}) const {
    return std::make_unique<transport::Device>(std::make_unique<transport::SpiLink>(
        std::make_unique<transport::SimBus>(sim::Chip::open(state)), options));
  }
  static sim::Chip& chip_of(transport::Device& dev) {
    auto& link = dynamic_cast<transport::SpiLink&>(dev.link());
    return dynamic_cast<transport::SimBus&>(link.bus()).chip();
  }
};

#if MAXQ_TEST_LINK == MAXQ_TEST_LINK_FTDI_MODEL
using TempChip = FtdiModelChip;
#elif MAXQ_TEST_LINK == MAXQ_TEST_LINK_UNIX_DAEMON
using TempChip = UnixDaemonChip;
#else
using TempChip = InProcessChip;
#endif

}  // namespace maxq::testing
