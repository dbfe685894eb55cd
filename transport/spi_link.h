// A Link over a SpiBus: frames out, polls for 0x55, reads the response, in as
// few bus round trips as the protocol allows.
#pragma once

#include <memory>

#include "transport/link.h"
#include "transport/spi_bus.h"

namespace maxq::transport {

struct SpiLinkOptions {
  size_t busy_margin = 8;      // extra polls in the first round trip
  size_t poll_budget = 65536;  // polls before giving up (LinkError Timeout)
};

class SpiLink : public Link {
 public:
  explicit SpiLink(std::unique_ptr<SpiBus> bus, SpiLinkOptions options = {});
  Bytes transact(ByteView command_frame, size_t expected_payload) override;
  void reset() override;
  std::string describe() const override { return bus_->describe(); }
  std::string lock_path() const override { return bus_->lock_path(); }
  SpiBus& bus() { return *bus_; }

 private:
  std::unique_ptr<SpiBus> bus_;
  SpiLinkOptions options_;
  bool selected_ = false;  // chip select left asserted after the last command
};

}  // namespace maxq::transport
