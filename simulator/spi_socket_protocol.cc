#include "simulator/spi_socket_protocol.h"

#include <stdexcept>

namespace maxq::sim::spi_socket {
namespace {

Bytes header(uint8_t type_or_status, size_t body_length) {
  PayloadWriter w;
  w.u8(kMagic0).u8(kMagic1).u8(kVersion).u8(type_or_status);
  w.u32(static_cast<uint32_t>(body_length));
  return w.take();
}

std::optional<Header> parse_header(ByteView in, bool request, std::string& error) {
  if (in.size() != kHeaderBytes) {
    error = "header of " + std::to_string(in.size()) + " bytes";
    return std::nullopt;
  }
  if (in[0] != kMagic0 || in[1] != kMagic1) {
    error = "not a maxq1061-sim message (bad magic " + to_hex(in.subview(0, 2)) + ")";
    return std::nullopt;
  }
  if (in[2] != kVersion) {
    error = "protocol version " + std::to_string(in[2]) + " (this side speaks " +
            std::to_string(kVersion) + ")";
    return std::nullopt;
  }
  Header h;
  h.type_or_status = in[3];
  h.body_length = static_cast<uint32_t>(in[4]) << 24 | static_cast<uint32_t>(in[5]) << 16 |
                  static_cast<uint32_t>(in[6]) << 8 | in[7];
  if (request && h.type_or_status != kTypeBatch) {
    error = "unknown message type " + std::to_string(h.type_or_status);
    return std::nullopt;
  }
  if (!request && h.type_or_status != static_cast<uint8_t>(ReplyStatus::Ok) &&
      h.type_or_status != static_cast<uint8_t>(ReplyStatus::Refused)) {
    error = "unknown reply status " + std::to_string(h.type_or_status);
    return std::nullopt;
  }
  if (h.body_length > kMaxBodyBytes) {
    error = "body of " + std::to_string(h.body_length) + " bytes (limit " +
            std::to_string(kMaxBodyBytes) + ")";
    return std::nullopt;
  }
  return h;
}

}  // namespace

Bytes encode_request(const std::vector<Op>& ops) {
  if (ops.size() > kMaxOps) throw std::length_error("SPI batch of more than 1024 operations");
  PayloadWriter body;
  for (const Op& op : ops) {
    body.u8(static_cast<uint8_t>(op.kind));
    if (op.kind == Op::Kind::Transfer) {
      body.u32(static_cast<uint32_t>(op.tx.size()));
      body.bytes(op.tx);
    }
  }
  if (body.bytes().size() > kMaxBodyBytes) throw std::length_error("SPI batch beyond 256 KiB");
  Bytes out = header(kTypeBatch, body.bytes().size());
  out.insert(out.end(), body.bytes().begin(), body.bytes().end());
  return out;
}

Bytes encode_reply(ReplyStatus status, ByteView body) {
  if (body.size() > kMaxBodyBytes) throw std::length_error("reply beyond 256 KiB");
  Bytes out = header(static_cast<uint8_t>(status), body.size());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::optional<Header> parse_request_header(ByteView in, std::string& error) {
  return parse_header(in, true, error);
}

std::optional<Header> parse_reply_header(ByteView in, std::string& error) {
  return parse_header(in, false, error);
}

bool parse_request_body(ByteView body, std::vector<Op>& ops, std::string& error) {
  ops.clear();
  try {
    PayloadReader in(body, "SPI batch");
    while (in.remaining() > 0) {
      if (ops.size() == kMaxOps) {
        error = "more than " + std::to_string(kMaxOps) + " operations";
        return false;
      }
      uint8_t kind = in.u8();
      switch (static_cast<Op::Kind>(kind)) {
        case Op::Kind::Select:
          ops.push_back({Op::Kind::Select, {}});
          break;
        case Op::Kind::Deselect:
          ops.push_back({Op::Kind::Deselect, {}});
          break;
        case Op::Kind::Transfer: {
          uint32_t n = in.u32();
          if (n == 0) {
            error = "empty transfer";
            return false;
          }
          if (n > in.remaining()) {
            error = "transfer of " + std::to_string(n) + " bytes with " +
                    std::to_string(in.remaining()) + " left in the message";
            return false;
          }
          ops.push_back({Op::Kind::Transfer, in.bytes(n).to_bytes()});
          break;
        }
        default:
          error = "unknown operation " + std::to_string(kind);
          return false;
      }
    }
  } catch (const MalformedPayload& e) {
    error = e.what();
    return false;
  }
  return true;
}

size_t miso_bytes(const std::vector<Op>& ops) {
  size_t n = 0;
  for (const Op& op : ops) n += op.tx.size();
  return n;
}

}  // namespace maxq::sim::spi_socket
