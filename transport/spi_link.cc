#include "transport/spi_link.h"

#include <algorithm>

#include "transport/errors.h"
#include "wire/frame_codec.h"
#include "wire/protocol.h"

namespace maxq::transport {

SpiLink::SpiLink(std::unique_ptr<SpiBus> bus, SpiLinkOptions options)
    : bus_(std::move(bus)), options_(options) {}

void SpiLink::reset() {
  if (selected_) bus_->run({SpiOp::deselect()});
  selected_ = false;
}

Bytes SpiLink::transact(ByteView frame, size_t expected_payload) {
  // Round trip 1: (release the previous window,) select, the frame, and enough
  // polls to bring the whole expected answer back.
  size_t expected_total = wire::kHeaderSize + expected_payload + wire::kCrcSize;
  size_t polls = expected_total + options_.busy_margin;
  std::vector<SpiOp> ops;
  if (selected_) ops.push_back(SpiOp::deselect());
  ops.push_back(SpiOp::select());
  Bytes tx(frame.begin(), frame.end());
  tx.insert(tx.end(), polls, wire::kPollByte);
  ops.push_back(SpiOp::transfer(std::move(tx)));
  selected_ = true;
  Bytes rx = bus_->run(ops);
  if (rx.size() != frame.size() + polls)
    throw LinkError(LinkError::Kind::Io, describe() + ": the bus returned " + std::to_string(rx.size()) +
                                             " bytes for " + std::to_string(frame.size() + polls));
  // Only bytes clocked after the frame can be the answer.
  Bytes answer;
  size_t polled = polls;
  auto scan = [&](const Bytes& in, size_t from) {
    for (size_t i = from; i < in.size(); ++i) {
      if (answer.empty() && in[i] != wire::kResponseSync) continue;
      answer.push_back(in[i]);
    }
  };
  scan(rx, frame.size());
  // Keep polling in growing batches until 0x55 shows up.
  size_t batch = 32;
  while (answer.empty()) {
    if (polled >= options_.poll_budget)
      throw LinkError(LinkError::Kind::Timeout,
                      describe() + ": the chip did not answer within " + std::to_string(polled) +
                          " polls; check power, wiring and the SPI clock");
    Bytes more = bus_->run({SpiOp::transfer(Bytes(batch, wire::kPollByte))});
    polled += batch;
    scan(more, 0);
    batch = std::min<size_t>(batch * 2, 2048);
  }
  // The header tells how much is left; clock exactly that.
  if (answer.size() < wire::kHeaderSize) {
    Bytes more = bus_->run({SpiOp::transfer(Bytes(wire::kHeaderSize - answer.size(), wire::kPollByte))});
    answer.insert(answer.end(), more.begin(), more.end());
  }
  size_t total = wire::frame_size_from_header(answer);
  if (total == 0)
    throw ProtocolError(describe() + ": response header announces more than the 2300-byte frame limit");
  if (answer.size() < total) {
    Bytes more = bus_->run({SpiOp::transfer(Bytes(total - answer.size(), wire::kPollByte)), SpiOp::deselect()});
    selected_ = false;
    answer.insert(answer.end(), more.begin(), more.end());
  }
  answer.resize(total);
  return answer;
}

}  // namespace maxq::transport
