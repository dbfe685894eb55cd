// SpiBus over a simulated chip in this process. A state-file error of the
// chip (sim::StateError) comes out as a transport::LinkError.
#pragma once

#include <memory>

#include "simulator/chip.h"
#include "transport/spi_bus.h"

namespace maxq::transport {

class SimBus : public SpiBus {
 public:
  explicit SimBus(std::unique_ptr<sim::Chip> chip) : chip_(std::move(chip)) {}
  Bytes run(const std::vector<SpiOp>& ops) override;
  std::string describe() const override { return "sim:" + chip_->state_path(); }
  // The chip serialises processes itself (a lock around each command).
  std::string lock_path() const override { return ""; }
  sim::Chip& chip() { return *chip_; }

 private:
  void run_ops(const std::vector<SpiOp>& ops, Bytes& rx);
  std::unique_ptr<sim::Chip> chip_;
};

}  // namespace maxq::transport
