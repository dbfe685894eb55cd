// Test support: a freshly provisioned simulated chip in a temp directory, and a
// Device talking to it over the in-process link. Removed when it goes away.
#pragma once

#include <memory>
#include <string>

#include "simulator/chip.h"
#include "test/support/credentialed_chip.h"
#include "transport/device.h"
#include "transport/sim_bus.h"
#include "transport/spi_link.h"

namespace maxq::testing {

struct TempChip : CredentialedChip {
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

}  // namespace maxq::testing
