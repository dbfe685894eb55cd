#include "broker/broker_protocol.h"

#include <stdexcept>

#include "wire/protocol.h"

namespace maxq::broker {
namespace {

bool known_type(uint8_t t) {
  switch (static_cast<MessageType>(t)) {
    case MessageType::Command:
    case MessageType::StatusRequest:
    case MessageType::Response:
    case MessageType::Error:
    case MessageType::StatusReply:
      return true;
  }
  return false;
}

void put_u64(PayloadWriter& w, uint64_t v) {
  w.u32(static_cast<uint32_t>(v >> 32)).u32(static_cast<uint32_t>(v));
}
uint64_t get_u64(PayloadReader& r) {
  uint64_t hi = r.u32();
  return hi << 32 | r.u32();
}

void put_string(PayloadWriter& w, const std::string& s) {
  size_t n = s.size() > 0xFFFF ? 0xFFFF : s.size();
  w.u16(static_cast<uint16_t>(n)).bytes(ByteView(std::string_view(s.data(), n)));
}
std::string get_string(PayloadReader& r) {
  ByteView b = r.bytes(r.u16());
  return std::string(b.begin(), b.end());
}

}  // namespace

std::optional<Header> parse_header(ByteView h, std::string& error) {
  if (h.size() != kHeaderBytes) {
    error = "a message header is " + std::to_string(kHeaderBytes) + " bytes";
    return std::nullopt;
  }
  if (h[0] != kMagic0 || h[1] != kMagic1) {
    error = "not a maxq1061d message (bad magic)";
    return std::nullopt;
  }
  if (h[2] != kVersion) {
    error = "message version " + std::to_string(h[2]) + ", this side speaks version " +
            std::to_string(kVersion) + " (update the provider and the daemon together)";
    return std::nullopt;
  }
  if (!known_type(h[3])) {
    error = "unknown message type " + std::to_string(h[3]);
    return std::nullopt;
  }
  Header out;
  out.type = static_cast<MessageType>(h[3]);
  out.body_length = static_cast<uint16_t>(h[4] << 8 | h[5]);
  return out;
}

Bytes encode_message(MessageType type, ByteView body) {
  if (body.size() > kMaxBody)
    throw std::length_error("a maxq1061d message body holds at most 65535 bytes");
  PayloadWriter w;
  w.u8(kMagic0).u8(kMagic1).u8(kVersion).u8(static_cast<uint8_t>(type));
  w.u16(static_cast<uint16_t>(body.size())).bytes(body);
  return w.take();
}

Bytes encode_command(ByteView command_frame, size_t expected_payload) {
  if (command_frame.size() > wire::kMaxFrameSize)
    throw std::length_error("a command frame holds at most " + std::to_string(wire::kMaxFrameSize) +
                            " bytes");
  if (expected_payload > wire::kMaxPayload) expected_payload = wire::kMaxPayload;
  PayloadWriter w;
  w.u16(static_cast<uint16_t>(expected_payload)).bytes(command_frame);
  return encode_message(MessageType::Command, w.bytes());
}

std::optional<CommandBody> parse_command(ByteView body, std::string& error) {
  if (body.size() < 2 + wire::kHeaderSize + wire::kCrcSize) {
    error = "a command message of " + std::to_string(body.size()) +
            " bytes is shorter than the smallest command frame";
    return std::nullopt;
  }
  if (body.size() > kMaxCommandBody) {
    error = "a command message of " + std::to_string(body.size()) +
            " bytes exceeds the frame limit of " + std::to_string(wire::kMaxFrameSize) + " bytes";
    return std::nullopt;
  }
  CommandBody out;
  out.expected_payload = static_cast<uint16_t>(body[0] << 8 | body[1]);
  if (out.expected_payload > wire::kMaxPayload) {
    error = "expected response size " + std::to_string(out.expected_payload) +
            " beyond the frame limit";
    return std::nullopt;
  }
  out.frame = body.subview(2);
  return out;
}

Bytes encode_error(ErrorCode code, const std::string& message) {
  std::string m = message.size() > kMaxErrorMessage ? message.substr(0, kMaxErrorMessage) : message;
  PayloadWriter w;
  w.u8(static_cast<uint8_t>(code)).bytes(ByteView(std::string_view(m)));
  return encode_message(MessageType::Error, w.bytes());
}

std::optional<ErrorBody> parse_error(ByteView body) {
  if (body.empty() || body.size() > 1 + kMaxErrorMessage) return std::nullopt;
  ErrorBody out;
  uint8_t code = body[0];
  if (code < static_cast<uint8_t>(ErrorCode::DeviceUnavailable) ||
      code > static_cast<uint8_t>(ErrorCode::Unsupported))
    return std::nullopt;
  out.code = static_cast<ErrorCode>(code);
  out.message.assign(body.begin() + 1, body.end());
  return out;
}

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::DeviceUnavailable:
      return "device unavailable";
    case ErrorCode::MayHaveRun:
      return "answer lost";
    case ErrorCode::TooManyClients:
      return "too many clients";
    case ErrorCode::NotPermitted:
      return "not permitted";
    case ErrorCode::Forbidden:
      return "forbidden";
    case ErrorCode::ShuttingDown:
      return "shutting down";
    case ErrorCode::BadMessage:
      return "bad message";
    case ErrorCode::IdleTimeout:
      return "idle timeout";
    case ErrorCode::Unsupported:
      return "unsupported";
  }
  return "unknown";
}

Bytes encode_status(const BrokerStatus& s) {
  PayloadWriter w;
  put_string(w, s.device);
  w.u8(s.device_ok ? 1 : 0).u32(s.uptime_seconds).u32(s.max_clients);
  for (uint64_t v :
       {s.connections, s.refused, s.commands, s.own_commands, s.bytes_in, s.bytes_out, s.retries,
        s.failures, s.admin_sessions, s.hold_expiries, s.temporaries_freed, s.busy_us})
    put_u64(w, v);
  // As many clients as fit one message (the count says how many follow).
  constexpr size_t kClientBytes = 8 + 4 + 4 + 4 + 8 + 2 + 1 + 4;
  size_t room = (kMaxBody - w.bytes().size() - 2) / kClientBytes;
  size_t n = s.clients.size() < room ? s.clients.size() : room;
  w.u16(static_cast<uint16_t>(n));
  for (size_t i = 0; i < n; ++i) {
    const ClientStatus& c = s.clients[i];
    put_u64(w, c.id);
    w.u32(static_cast<uint32_t>(c.pid)).u32(c.uid).u32(c.gid);
    put_u64(w, c.commands);
    w.u16(c.temporary_objects).u8(c.holds_chip ? 1 : 0).u32(c.connected_seconds);
  }
  return encode_message(MessageType::StatusReply, w.bytes());
}

std::optional<BrokerStatus> parse_status(ByteView body, std::string& error) {
  try {
    PayloadReader r(body, "maxq1061d status");
    BrokerStatus s;
    s.device = get_string(r);
    s.device_ok = r.u8() != 0;
    s.uptime_seconds = r.u32();
    s.max_clients = r.u32();
    for (uint64_t* v : {&s.connections, &s.refused, &s.commands, &s.own_commands, &s.bytes_in,
                        &s.bytes_out, &s.retries, &s.failures, &s.admin_sessions, &s.hold_expiries,
                        &s.temporaries_freed, &s.busy_us})
      *v = get_u64(r);
    uint16_t n = r.u16();
    for (uint16_t i = 0; i < n; ++i) {
      ClientStatus c;
      c.id = get_u64(r);
      c.pid = static_cast<int32_t>(r.u32());
      c.uid = r.u32();
      c.gid = r.u32();
      c.commands = get_u64(r);
      c.temporary_objects = r.u16();
      c.holds_chip = r.u8() != 0;
      c.connected_seconds = r.u32();
      s.clients.push_back(c);
    }
    r.expect_end();
    return s;
  } catch (const MalformedPayload& e) {
    error = e.what();
    return std::nullopt;
  }
}

}  // namespace maxq::broker
