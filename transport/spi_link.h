// A Link over a SpiBus, driving chip select the way the MAXQ106x SDK's hosts do
// (docs/maxq106x-protocol.md §2.3): one window for the command frame, one
// window per poll byte (0xCC) until the chip answers 0x55, then a window for
// the rest of the header and one for the data and CRC. The chip keeps its
// answer across the windows. To spend as few bus round trips (SpiBus::run
// calls, USB writes on FTDI) as the protocol allows, the windows are batched:
//  1. The frame's window and enough one-byte poll windows for the whole
//     expected answer plus busy_margin. The bytes after the 0x55 are the
//     answer, one per window; when the chip answers promptly and the expected
//     size was right, that is the only round trip.
//  2. If no 0x55 came back yet: more poll windows in growing batches of at
//     most max_poll_batch, up to poll_budget polls in all (LinkError Timeout).
//  3. If the header is incomplete: one window with its missing bytes; then
//     one window with exactly the missing data and CRC bytes.
// Chip select is released at the end of every window. The chip's bytes are
// untrusted: nothing is returned that did not arrive, and a header announcing
// more than a frame can hold is a ProtocolError.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "transport/link.h"
#include "transport/spi_bus.h"

namespace maxq::transport {

struct SpiLinkOptions {
  size_t busy_margin = 8;  // extra polls in the first round trip
  // Polls before giving up (LinkError Timeout): never fewer than the SDK's PC
  // hosts allow (TIMEOUT = 120000 polls).
  size_t poll_budget = kSdkPollBudget;
  size_t max_poll_batch = 4096;  // polls per round trip at most

  static constexpr size_t kSdkPollBudget = 120000;
  // For a bus clocked at `spi_clock_hz`: polling sized in time, not bytes. The
  // budget covers kLongestCommandSeconds (no execution time is public; the
  // SDK's MCU hosts poll for a few seconds, its PC hosts far longer with waits),
  // and a batch lasts at most kPollBatchSeconds, so the host stops polling at
  // most that long after the answer is ready.
  static SpiLinkOptions for_clock(uint32_t spi_clock_hz);
  static constexpr double kLongestCommandSeconds = 10.0;  // MODELLED margin, no public figure
  static constexpr double kPollBatchSeconds = 0.002;
};

class SpiLink : public Link {
 public:
  explicit SpiLink(std::unique_ptr<SpiBus> bus, SpiLinkOptions options = {});
  ~SpiLink() override = default;
  Bytes transact(ByteView command_frame, size_t expected_payload) override;
  void reset() override;
  std::string describe() const override { return bus_->describe(); }
  std::string lock_path() const override { return bus_->lock_path(); }
  bool reaches_hardware() const override { return bus_->reaches_hardware(); }
  SpiBus& bus() { return *bus_; }

 private:
  // One bus round trip that must return exactly `want` MISO bytes.
  Bytes run_checked(const std::vector<SpiOp>& ops, size_t want);

  std::unique_ptr<SpiBus> bus_;
  SpiLinkOptions options_;
};

}  // namespace maxq::transport
