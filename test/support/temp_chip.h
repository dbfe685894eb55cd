// Test support: a freshly provisioned simulated chip in a temp directory, and a
// Device talking to it over the in-process link. Removed when it goes away.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "simulator/chip.h"
#include "transport/admin_key.h"
#include "transport/device.h"
#include "transport/sim_bus.h"
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

  // A new device session on this chip (a separate Chip instance, like another process would have).
  std::unique_ptr<transport::Device> open_device(transport::SpiLinkOptions options = {}) const {
    return std::make_unique<transport::Device>(std::make_unique<transport::SpiLink>(
        std::make_unique<transport::SimBus>(sim::Chip::open(state)), options));
  }
  static sim::Chip& chip_of(transport::Device& dev) {
    auto& link = dynamic_cast<transport::SpiLink&>(dev.link());
    return dynamic_cast<transport::SimBus&>(link.bus()).chip();
  }
  void authenticate(transport::Device& dev) const {
    dev.authenticate(transport::AdminKey::load(admin_key));
  }
};

}  // namespace maxq::testing
