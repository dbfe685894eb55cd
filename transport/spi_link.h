// A Link over a SpiBus: frames out, polls for 0x55, reads the response, in as
// few bus round trips (SpiBus::run calls) as the protocol allows:
//  1. [Deselect if the previous window is still open], Select, Transfer(frame +
//     polls for the whole expected answer + busy_margin). When the chip answers
//     promptly and the expected size was right, that is the only round trip.
//  2. If no 0x55 came back yet: more polls in growing batches of at most
//     max_poll_batch, up to poll_budget polls in all (then LinkError Timeout).
//  3. If the header arrived late: its missing bytes plus the expected rest.
//  4. If the frame is longer than expected: exactly the missing bytes, and the
//     window closes in the same trip.
// Chip select is otherwise left asserted after a command and released at the
// start of the next one (saves a round trip); reset() releases it at once.
// The chip's bytes are untrusted: nothing is returned that did not arrive, and
// a header announcing more than a frame can hold is a ProtocolError.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "transport/link.h"
#include "transport/spi_bus.h"

namespace maxq::transport {

struct SpiLinkOptions {
  size_t busy_margin = 8;        // extra polls in the first round trip
  size_t poll_budget = 65536;    // polls before giving up (LinkError Timeout)
  size_t max_poll_batch = 4096;  // polls per round trip at most

  // For a bus clocked at `spi_clock_hz`: polling sized in time, not bytes. The
  // budget covers kLongestCommand (a fast clock must not run out of polls while
  // the chip works), and a batch lasts at most kPollBatchTime, so the host
  // stops polling at most that long after the answer is ready (at 1 MHz a
  // 4096-poll batch is 33 ms, longer than a signature).
  static SpiLinkOptions for_clock(uint32_t spi_clock_hz);
  static constexpr double kLongestCommandSeconds = 2.0;  // MODELLED margin, no datasheet figure
  static constexpr double kPollBatchSeconds = 0.002;
};

class SpiLink : public Link {
 public:
  explicit SpiLink(std::unique_ptr<SpiBus> bus, SpiLinkOptions options = {});
  // Releases a chip select left asserted (best effort: a gone bus is ignored).
  ~SpiLink() override;
  Bytes transact(ByteView command_frame, size_t expected_payload) override;
  void reset() override;
  std::string describe() const override { return bus_->describe(); }
  std::string lock_path() const override { return bus_->lock_path(); }
  SpiBus& bus() { return *bus_; }

 private:
  // One bus round trip that must return exactly `want` MISO bytes.
  Bytes run_checked(const std::vector<SpiOp>& ops, size_t want);

  std::unique_ptr<SpiBus> bus_;
  SpiLinkOptions options_;
  bool selected_ = false;  // chip select left asserted after the last command
};

}  // namespace maxq::transport
