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

SpiLink::~SpiLink() {
  try {
    SpiLink::reset();  // this class's own, as the destructor of a base would call
  } catch (const std::exception&) {
    // Unplugged or closed: nothing left to release.
  }
}

void SpiLink::reset() {
  // Immediately, not lazily: the chip drops a half-received command or an
  // unread answer only when chip select rises.
  if (selected_) {
    selected_ = false;
    bus_->run({SpiOp::deselect()});
  }
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

  // Round trip 1: release the previous window (lazily left open), select, the
  // frame, and enough polls to bring the whole expected answer back.
  size_t polls = expected_rest + options_.busy_margin;
  std::vector<SpiOp> ops;
  if (selected_) ops.push_back(SpiOp::deselect());
  ops.push_back(SpiOp::select());
  Bytes tx(frame.begin(), frame.end());
  tx.insert(tx.end(), polls, wire::kPollByte);
  ops.push_back(SpiOp::transfer(std::move(tx)));
  selected_ = true;
  WipedBytes rx{run_checked(ops, frame.size() + polls)};

  // Only bytes clocked after the frame can be the answer; it starts at 0x55.
  WipedBytes answer;
  Bytes& got = answer.b;
  auto take = [&got](const Bytes& in, size_t from) {
    if (got.empty()) {
      auto sync =
          std::find(in.begin() + static_cast<std::ptrdiff_t>(from), in.end(), wire::kResponseSync);
      got.assign(sync, in.end());
    } else {
      got.insert(got.end(), in.begin() + static_cast<std::ptrdiff_t>(from), in.end());
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
    WipedBytes more{run_checked({SpiOp::transfer(Bytes(n, wire::kPollByte))}, n)};
    polled += n;
    take(more.b, 0);
    batch = std::min(batch * 2, max_batch);
  }

  // The header tells how long the frame is. If it is incomplete, clock its
  // missing bytes plus the expected rest in one go.
  if (got.size() < wire::kHeaderSize) {
    size_t n = wire::kHeaderSize - got.size() + expected_payload + wire::kCrcSize;
    WipedBytes more{run_checked({SpiOp::transfer(Bytes(n, wire::kPollByte))}, n)};
    take(more.b, 0);
  }
  const size_t total = wire::frame_size_from_header(ByteView(got.data(), wire::kHeaderSize));
  if (total == 0) {
    throw ProtocolError(
        describe() + ": the response header announces " + std::to_string(got[3] << 8 | got[4]) +
        " data bytes, more than a frame can hold (" + std::to_string(wire::kMaxPayload) + ")");
  }
  if (got.size() < total) {
    // Exactly the missing bytes; the window closes in the same round trip.
    size_t n = total - got.size();
    WipedBytes more{
        run_checked({SpiOp::transfer(Bytes(n, wire::kPollByte)), SpiOp::deselect()}, n)};
    selected_ = false;
    take(more.b, 0);
  }
  // Bytes clocked after the frame are idle bytes: dropped, never returned.
  Bytes out(got.begin(), got.begin() + static_cast<std::ptrdiff_t>(total));
  return out;
}

}  // namespace maxq::transport
