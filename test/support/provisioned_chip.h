// Test support shared by every layer's tests: a temp directory removed with
// everything in it, and a freshly provisioned simulated chip inside one (state
// file, admin key and key-import key). How a test reaches the chip (SPI face, SimBus, FTDI
// model, daemon) is up to the fixture built on it.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "simulator/chip.h"

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

// Every open() is a new chip session (what another process would get).
struct ProvisionedChip {
  TempDir dir;
  std::string state = dir.file("chip.state");
  std::string admin_key = state + ".admin.pem";
  std::string key_import_key = state + ".key-import.pem";
  sim::ProvisionResult provisioned = sim::Chip::provision(state, admin_key, key_import_key);
  std::unique_ptr<sim::Chip> open() const { return sim::Chip::open(state); }
};

}  // namespace maxq::testing
