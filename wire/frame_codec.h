// Encoding and decoding of command and response frames. Decoders treat every
// byte as untrusted: lengths are checked against the frame limit and the bytes
// actually present before anything is read.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::wire {

enum class FrameError {
  None,
  Truncated,  // fewer bytes than the header's length field announces
  BadSync,    // first bytes are not AA 00 (command) / 55 (response)
  TooLong,    // length field beyond the 2300-byte frame limit
  BadCrc,     // CRC over header and data does not match
  TrailingBytes,
};
std::string_view frame_error_name(FrameError e);

struct CommandFrame {
  uint8_t command = 0;
  Bytes payload;
};
struct ResponseFrame {
  uint16_t status = 0;
  Bytes payload;
};

// Throws std::length_error when the payload does not fit one frame.
Bytes encode_command(uint8_t command, ByteView payload);
inline Bytes encode_command(Command command, ByteView payload) {
  return encode_command(static_cast<uint8_t>(command), payload);
}
Bytes encode_response(uint16_t status, ByteView payload);
inline Bytes encode_response(Status status, ByteView payload) {
  return encode_response(static_cast<uint16_t>(status), payload);
}

// Decodes exactly one frame occupying all of `in`.
FrameError decode_command(ByteView in, CommandFrame& out);
FrameError decode_response(ByteView in, ResponseFrame& out);

// Total frame size announced by a 5-byte header (header + data + CRC), or 0 when
// the length field exceeds the frame limit. Used by receivers to know how many
// more bytes to clock.
size_t frame_size_from_header(ByteView header);

}  // namespace maxq::wire
