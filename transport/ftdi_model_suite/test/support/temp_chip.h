// Stands in for test/support/temp_chip.h in the target ftdi_model_device_test
// (this folder comes first on its include path), so that the transport tests
// device_test.cc and fault_recovery_test.cc run unchanged over the whole ftdi
// link: Device -> SpiLink -> FtdiMpsseBus (MPSSE bytes) -> ModelFtdiUsb ->
// in-memory FT232H -> simulated chip. Same interface as the original.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "simulator/chip.h"
#include "simulator/mpsse_model.h"
#include "transport/admin_key.h"
#include "transport/device.h"
#include "transport/ftdi_model_usb.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/spi_link.h"

namespace maxq::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/maxq-test.XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

struct TempChip {
  TempDir dir;
  std::string state = dir.file("chip.state");
  std::string admin_key = state + ".admin.pem";
  sim::ProvisionResult provisioned = sim::Chip::provision(state, admin_key);

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
  void authenticate(transport::Device& dev) const {
    dev.authenticate(transport::AdminKey::load(admin_key));
  }
};

}  // namespace maxq::testing
