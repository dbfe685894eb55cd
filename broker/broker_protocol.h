// The messages between a client (transport/broker_link.cc) and maxq1061d over
// the broker's unix socket. Every message is a 6-byte header and a body:
//
//   'M' 'Q' version type  LEN_H LEN_L  BODY[LEN]
//
// client -> daemon
//   Command  (0x01)  expected response payload u16be (a hint for the bus, as
//                    Link::transact takes it), then one whole command frame
//                    (AA 00 CMD LEN DATA CRC, checked by the daemon)
//   Status   (0x02)  no body: the daemon's clients and counters
// daemon -> client
//   Response (0x81)  one whole response frame, as the chip sent it
//   Error    (0x82)  code u8, then a UTF-8 message saying what failed and what
//                    to do; the command was not executed unless the code says
//                    it may have been (MayHaveRun)
//   Status   (0x83)  BrokerStatus, encoded below
//
// Everything from the other side is untrusted: the decoders check the magic,
// the version, the type and every length before reading.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::broker {

// Where clients find the daemon when broker: names no path.
inline constexpr const char* kDefaultSocketPath = "/run/maxq1061/maxq1061.sock";

inline constexpr uint8_t kMagic0 = 'M';
inline constexpr uint8_t kMagic1 = 'Q';
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 6;
// A Command body: the hint and the largest command frame.
inline constexpr size_t kMaxCommandBody = 2 + wire::kMaxFrameSize;
// The largest body either side ever sends (a Status reply with many clients).
inline constexpr size_t kMaxBody = 0xFFFF;
inline constexpr size_t kMaxErrorMessage = 1024;

enum class MessageType : uint8_t {
  Command = 0x01,
  StatusRequest = 0x02,
  Response = 0x81,
  Error = 0x82,
  StatusReply = 0x83,
};

enum class ErrorCode : uint8_t {
  DeviceUnavailable = 1,  // the bus or the chip failed; not executed or surely not
  MayHaveRun = 2,         // the answer was lost after the command reached the chip
  TooManyClients = 3,     // refused at connect: --max-clients
  NotPermitted = 4,       // refused at connect: not in the socket's group
  Forbidden = 5,          // this command needs a uid/gid in --manage-users/--manage-groups
  ShuttingDown = 6,       // the daemon is stopping (SIGTERM)
  BadMessage = 7,         // the client sent something malformed: disconnected
  IdleTimeout = 8,        // the client said nothing for --idle-timeout seconds
  Unsupported = 9,        // the device cannot do this (a simulator extension on hardware)
};

struct Header {
  MessageType type = MessageType::Command;
  uint16_t body_length = 0;
};

// nullopt and `error` set when the header is not a message this version knows.
std::optional<Header> parse_header(ByteView header, std::string& error);
Bytes encode_message(MessageType type, ByteView body);

// Command body.
Bytes encode_command(ByteView command_frame, size_t expected_payload);
struct CommandBody {
  uint16_t expected_payload = 0;
  ByteView frame;  // views the body
};
std::optional<CommandBody> parse_command(ByteView body, std::string& error);

// Error body.
Bytes encode_error(ErrorCode code, const std::string& message);
struct ErrorBody {
  ErrorCode code = ErrorCode::DeviceUnavailable;
  std::string message;
};
std::optional<ErrorBody> parse_error(ByteView body);
const char* error_code_name(ErrorCode code);

// What `maxq1061-tool --device broker:PATH status` shows.
struct ClientStatus {
  uint64_t id = 0;
  int32_t pid = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t commands = 0;
  uint16_t temporary_objects = 0;
  bool holds_chip = false;  // in an admin sequence (challenge or admin session)
  uint32_t connected_seconds = 0;
};
struct BrokerStatus {
  std::string device;     // the device string the daemon serves
  bool device_ok = true;  // false while the bus is unplugged or failing
  uint32_t uptime_seconds = 0;
  uint32_t max_clients = 0;
  uint64_t connections = 0;   // accepted since start
  uint64_t refused = 0;       // connections refused (limit, group)
  uint64_t commands = 0;      // command frames run on the chip for clients
  uint64_t own_commands = 0;  // the daemon's own (admin reset, freeing temporaries)
  uint64_t bytes_in = 0;      // command frame bytes from clients
  uint64_t bytes_out = 0;     // response frame bytes to clients
  uint64_t retries = 0;       // exchanges repeated after bus damage
  uint64_t failures = 0;      // commands answered with a daemon error
  uint64_t admin_sessions = 0;
  uint64_t hold_expiries = 0;  // admin sequences ended by --admin-hold-ms/--challenge-hold-ms
  uint64_t temporaries_freed = 0;
  uint64_t busy_us = 0;  // time the chip spent on commands
  std::vector<ClientStatus> clients;
};
Bytes encode_status(const BrokerStatus& status);
// nullopt and `error` set for a malformed body.
std::optional<BrokerStatus> parse_status(ByteView body, std::string& error);

}  // namespace maxq::broker
