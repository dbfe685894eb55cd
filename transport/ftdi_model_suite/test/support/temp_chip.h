// Stands in for test/support/temp_chip.h in the target ftdi_model_device_test
// (this folder comes first on its include path), so that the transport tests
// device_test.cc and fault_recovery_test.cc run unchanged over the whole ftdi
// link: Device -> SpiLink -> FtdiMpsseBus (MPSSE bytes) -> ModelFtdiUsb ->
// in-memory FT232H -> simulated chip. Same interface as the original.
#pragma once

#include <memory>
#include <string>

#include "simulator/chip.h"
#include "simulator/mpsse_model.h"
#include "test/support/credentialed_chip.h"
#include "transport/device.h"
#include "transport/ftdi_model_usb.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/spi_link.h"

namespace maxq::testing {

struct TempChip : CredentialedChip {
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
