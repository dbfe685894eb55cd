#include "wire/frame_codec.h"

#include <stdexcept>

#include "wire/crc16.h"

namespace maxq::wire {
namespace {

Bytes encode(uint8_t b0, uint8_t b1, uint8_t b2, ByteView payload) {
  if (payload.size() > kMaxPayload)
    throw std::length_error("payload of " + std::to_string(payload.size()) +
                            " bytes exceeds the MAXQ1061 frame limit of " +
                            std::to_string(kMaxPayload) + " bytes");
  Bytes f;
  f.reserve(kHeaderSize + payload.size() + kCrcSize);
  f.push_back(b0);
  f.push_back(b1);
  f.push_back(b2);
  f.push_back(static_cast<uint8_t>(payload.size() >> 8));
  f.push_back(static_cast<uint8_t>(payload.size()));
  f.insert(f.end(), payload.begin(), payload.end());
  uint16_t crc = crc16_arc(ByteView(f));
  f.push_back(static_cast<uint8_t>(crc));
  f.push_back(static_cast<uint8_t>(crc >> 8));
  return f;
}

// Common checks; on success `payload` views the data bytes.
FrameError check(ByteView in, ByteView& payload) {
  if (in.size() < kHeaderSize + kCrcSize) return FrameError::Truncated;
  size_t total = frame_size_from_header(in.subview(0, kHeaderSize));
  if (total == 0) return FrameError::TooLong;
  if (in.size() < total) return FrameError::Truncated;
  if (in.size() > total) return FrameError::TrailingBytes;
  uint16_t want = crc16_arc(in.subview(0, total - kCrcSize));
  uint16_t got = static_cast<uint16_t>(in[total - 2] | in[total - 1] << 8);
  if (want != got) return FrameError::BadCrc;
  payload = in.subview(kHeaderSize, total - kHeaderSize - kCrcSize);
  return FrameError::None;
}

}  // namespace

std::string_view frame_error_name(FrameError e) {
  switch (e) {
    case FrameError::None:
      return "no error";
    case FrameError::Truncated:
      return "truncated frame";
    case FrameError::BadSync:
      return "bad frame sync bytes";
    case FrameError::TooLong:
      return "frame length beyond the 2300-byte limit";
    case FrameError::BadCrc:
      return "CRC mismatch";
    case FrameError::TrailingBytes:
      return "bytes after the end of the frame";
  }
  return "unknown frame error";
}

Bytes encode_command(uint8_t command, ByteView payload) {
  return encode(kCommandSync, kCommandSync2, command, payload);
}

Bytes encode_response(uint16_t status, ByteView payload) {
  return encode(kResponseSync, static_cast<uint8_t>(status >> 8), static_cast<uint8_t>(status),
                payload);
}

size_t frame_size_from_header(ByteView header) {
  if (header.size() < kHeaderSize) return 0;
  size_t len = static_cast<size_t>(header[3]) << 8 | header[4];
  if (len > kMaxPayload) return 0;
  return kHeaderSize + len + kCrcSize;
}

FrameError decode_command(ByteView in, CommandFrame& out) {
  if (in.size() >= 2 && (in[0] != kCommandSync || in[1] != kCommandSync2))
    return FrameError::BadSync;
  ByteView payload;
  FrameError e = check(in, payload);
  if (e != FrameError::None) return e;
  out.command = in[2];
  out.payload = payload.to_bytes();
  return FrameError::None;
}

FrameError decode_response(ByteView in, ResponseFrame& out) {
  if (!in.empty() && in[0] != kResponseSync) return FrameError::BadSync;
  ByteView payload;
  FrameError e = check(in, payload);
  if (e != FrameError::None) return e;
  out.status = static_cast<uint16_t>(in[1] << 8 | in[2]);
  out.payload = payload.to_bytes();
  return FrameError::None;
}

}  // namespace maxq::wire
