// Test-only host: sends one command frame to a Chip through its SPI face and
// polls for the answer like the real host does.
#pragma once

#include <stdexcept>

#include "simulator/chip.h"
#include "wire/frame_codec.h"

namespace maxq::sim::testing {

inline wire::ResponseFrame exchange(Chip& chip, wire::Command cmd, ByteView payload,
                                    size_t max_polls = 4096) {
  Bytes frame = wire::encode_command(cmd, payload);
  Bytes miso(frame.size());
  chip.select();
  chip.transfer(frame.data(), miso.data(), frame.size());
  uint8_t poll = wire::kPollByte, b = 0;
  size_t polls = 0;
  do {
    chip.transfer(&poll, &b, 1);
    if (++polls > max_polls) {
      chip.deselect();
      throw std::runtime_error("chip did not answer");
    }
  } while (b != wire::kResponseSync);
  Bytes rsp{b};
  Bytes header(wire::kHeaderSize - 1), dummy(wire::kHeaderSize - 1, wire::kPollByte);
  chip.transfer(dummy.data(), header.data(), header.size());
  rsp.insert(rsp.end(), header.begin(), header.end());
  size_t total = wire::frame_size_from_header(rsp);
  if (total == 0) throw std::runtime_error("bad response length");
  Bytes rest(total - wire::kHeaderSize), pad(rest.size(), wire::kPollByte);
  chip.transfer(pad.data(), rest.data(), rest.size());
  chip.deselect();
  rsp.insert(rsp.end(), rest.begin(), rest.end());
  wire::ResponseFrame out;
  if (wire::decode_response(rsp, out) != wire::FrameError::None)
    throw std::runtime_error("damaged response frame");
  return out;
}

}  // namespace maxq::sim::testing
