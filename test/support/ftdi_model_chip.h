// A provisioned chip reached over the whole ftdi link: Device -> SpiLink ->
// FtdiMpsseBus (MPSSE bytes) -> ModelFtdiUsb -> in-memory FT232H -> simulated
// chip. TempChip when a suite is built with
// MAXQ_TEST_LINK=MAXQ_TEST_LINK_FTDI_MODEL (test/support/temp_chip.h).
#pragma once

#include <memory>
#include <string>

#include "simulated_links/ftdi_model_usb.h"
#include "simulator/chip.h"
#include "simulator/mpsse_model.h"
#include "test/support/credentialed_chip.h"
#include "transport/device.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/spi_link.h"

namespace maxq::testing {

struct FtdiModelChip : CredentialedChip {
  // A new device session: its own FT232H model and Chip instance, at 1 MHz.
  std::unique_ptr<transport::Device> open_device(transport::SpiLinkOptions options = {}) const {
    auto model = std::make_unique<sim::MpsseModel>(sim::Chip::open(state), 3);
    transport::FtdiBusConfig config;
    config.description = "model:" + state;
    auto bus = std::make_unique<transport::FtdiMpsseBus>(
        std::make_unique<transport::ModelFtdiUsb>(std::move(model)), config);
    return std::make_unique<transport::Device>(
        std::make_unique<transport::SpiLink>(std::move(bus), options));
  }
  static sim::Chip& chip_of(transport::Device& dev) {
    auto& link = dynamic_cast<transport::SpiLink&>(dev.link());
    auto& bus = dynamic_cast<transport::FtdiMpsseBus&>(link.bus());
    return dynamic_cast<transport::ModelFtdiUsb&>(bus.usb()).model().chip();
  }
};

}  // namespace maxq::testing
