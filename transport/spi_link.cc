#include "transport/spi_link.h"

#include <algorithm>
#include <exception>

#include "transport/errors.h"
#include "wire/frame_codec.h"
#include "wire/protocol.h"

namespace maxq::transport {
namespace {

// Response bytes may carry secrets (ECDH, TRNG output): every scratch buffer of
// the link is wiped when it goes out of scope.
struct WipedBytes {
  Bytes b;
  ~WipedBytes() {
    if (!b.empty()) secure_zero(b.data(), b.size());
  }
};

constexpr size_t kFirstPollBatch = 64;

// `n` one-byte poll windows.
void add_poll_windows(std::vector<SpiOp>& ops, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    ops.push_back(SpiOp::select());
    ops.push_back(SpiOp::transfer(Bytes{wire::kPollByte}));
    ops.push_back(SpiOp::deselect());
  }
}

// One window clocking `n` bytes.
std::vector<SpiOp> window(size_t n) {
  return {SpiOp::select(), SpiOp::transfer(Bytes(n, wire::kPollByte)), SpiOp::deselect()};
}

}  // namespace

SpiLinkOptions SpiLinkOptions::for_clock(uint32_t spi_clock_hz) {
  SpiLinkOptions o;
  const double polls_per_second = spi_clock_hz / 8.0;
  o.poll_budget =
      std::max(o.poll_budget, static_cast<size_t>(polls_per_second * kLongestCommandSeconds));
  o.max_poll_batch = std::clamp(static_cast<size_t>(polls_per_second * kPollBatchSeconds),
                                kFirstPollBatch, o.max_poll_batch);
  return o;
}

SpiLink::SpiLink(std::unique_ptr<SpiBus> bus, SpiLinkOptions options)
    : bus_(std::move(bus)), options_(options) {}

void SpiLink::reset() {
  // Every window is closed already; a pending answer is dropped by the chip
  // when the next command's frame starts.
}

Bytes SpiLink::run_checked(const std::vector<SpiOp>& ops, size_t want) {
  Bytes rx = bus_->run(ops);
  // A bus that returns fewer bytes than were clocked would make us invent
  // response bytes; more would be a bus bug too. Never trust either.
  if (rx.size() != want) {
    secure_zero(rx.data(), rx.size());
    throw LinkError(LinkError::Kind::Io, describe() + ": the bus returned " +
                                             std::to_string(rx.size()) + " bytes for " +
                                             std::to_string(want) + " clocked");
  }
  return rx;
}

Bytes SpiLink::transact(ByteView frame, size_t expected_payload) {
  expected_payload = std::min(expected_payload, wire::kMaxPayload);
  const size_t expected_rest = wire::kHeaderSize + expected_payload + wire::kCrcSize;

  // Round trip 1: the frame's window and poll windows enough to bring the
  // whole expected answer back.
  size_t polls = expected_rest + options_.busy_margin;
  std::vector<SpiOp> ops;
  ops.reserve(3 + 3 * polls);
  ops.push_back(SpiOp::select());
  ops.push_back(SpiOp::transfer(frame.to_bytes()));
  ops.push_back(SpiOp::deselect());
  add_poll_windows(ops, polls);
  WipedBytes rx{run_checked(ops, frame.size() + polls)};

  // Only bytes clocked after the frame can be the answer; it starts at 0x55.
  WipedBytes answer;
  Bytes& got = answer.b;
  auto take = [&got](const Bytes& in, size_t from) {
    const auto start = in.begin() + static_cast<std::ptrdiff_t>(std::min(from, in.size()));
    if (got.empty()) {
      got.assign(std::find(start, in.end(), wire::kResponseSync), in.end());
    } else {
      // resize + copy, not insert: GCC 14's -Wstringop-overflow misreads the
      // range insert here (a false positive) and the build is warning-clean.
      const size_t old_size = got.size();
      got.resize(old_size + static_cast<size_t>(in.end() - start));
      std::copy(start, in.end(), got.begin() + static_cast<std::ptrdiff_t>(old_size));
    }
  };
  take(rx.b, frame.size());

  // Still busy: poll in growing batches (few round trips for long computations,
  // few wasted bytes for short ones) until 0x55 or the poll budget.
  size_t polled = polls;
  const size_t max_batch = std::max<size_t>(options_.max_poll_batch, 1);
  size_t batch = std::min(std::max(kFirstPollBatch, options_.busy_margin), max_batch);
  while (got.empty()) {
    if (polled >= options_.poll_budget) {
      throw LinkError(LinkError::Kind::Timeout,
                      describe() + ": the chip did not answer the command within " +
                          std::to_string(polled) +
                          " polls; check wiring and power (and the SPI clock); is the device "
                          "busy with another host?");
    }
    size_t n = std::min(batch, options_.poll_budget - polled);
    std::vector<SpiOp> more_ops;
    more_ops.reserve(3 * n);
    add_poll_windows(more_ops, n);
    WipedBytes more{run_checked(more_ops, n)};
    polled += n;
    take(more.b, 0);
    batch = std::min(batch * 2, max_batch);
  }

  // The rest of the header in one window, as the SDK reads it.
  if (got.size() < wire::kHeaderSize) {
    size_t n = wire::kHeaderSize - got.size();
    WipedBytes more{run_checked(window(n), n)};
    take(more.b, 0);
  }
  const size_t total = wire::frame_size_from_header(ByteView(got.data(), wire::kHeaderSize));
  if (total == 0) {
    throw ProtocolError(
        describe() + ": the response header announces " + std::to_string(got[3] << 8 | got[4]) +
        " data bytes, more than a frame can hold (" + std::to_string(wire::kMaxPayload) + ")");
  }
  if (got.size() < total) {
    // Exactly the missing data and CRC bytes, in one window.
    size_t n = total - got.size();
    WipedBytes more{run_checked(window(n), n)};
    take(more.b, 0);
  }
  // Bytes clocked after the frame are idle bytes: dropped, never returned.
  return Bytes(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(total));
}

}  // namespace maxq::transport
