// The messages between the unix link (simulated_links/unix_socket_bus.h) and the
// `maxq1061-sim` daemon: one request carries one batch of SPI operations
// (chip-select edges and byte transfers, as one SpiBus::run), one reply carries
// the MISO bytes of its transfers. Both sides treat the other's bytes as
// untrusted: every length is checked against the limits below before anything
// is allocated or read.
//
// request: 'M' 'Q' version type=1 | body length u32 | ops...
//          op = 0x01 select | 0x02 deselect | 0x03 transfer, count u32, bytes
// reply:   'M' 'Q' version status | body length u32 | body
//          status 0: body = MISO bytes of every transfer, concatenated
//          status 1: body = a message saying why the batch was not run
// Integers are big-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire/bytes.h"

namespace maxq::sim::spi_socket {

inline constexpr uint8_t kMagic0 = 'M';
inline constexpr uint8_t kMagic1 = 'Q';
inline constexpr uint8_t kVersion = 1;
inline constexpr uint8_t kTypeBatch = 1;
inline constexpr size_t kHeaderBytes = 8;
// Far above what one SpiLink round trip needs (two 2300-byte frames and the
// polls between them) and small enough that a hostile length cannot exhaust memory.
inline constexpr size_t kMaxBodyBytes = 256 * 1024;
inline constexpr size_t kMaxOps = 1024;
inline constexpr size_t kMaxErrorMessage = 4096;

enum class ReplyStatus : uint8_t { Ok = 0, Refused = 1 };

struct Op {
  enum class Kind : uint8_t { Select = 1, Deselect = 2, Transfer = 3 };
  Kind kind;
  Bytes tx;  // Transfer only
};

struct Header {
  uint8_t type_or_status = 0;
  uint32_t body_length = 0;
};

// Throws std::length_error when the batch exceeds kMaxOps / kMaxBodyBytes.
Bytes encode_request(const std::vector<Op>& ops);
Bytes encode_reply(ReplyStatus status, ByteView body);

// Checks magic, version, type (requests: kTypeBatch; replies: a known status)
// and the body limit; nullopt with `error` set when the header is unacceptable.
std::optional<Header> parse_request_header(ByteView header, std::string& error);
std::optional<Header> parse_reply_header(ByteView header, std::string& error);

// Splits a request body into operations; false with `error` set when an op
// kind is unknown, a count runs past the body, a transfer is empty, or there
// are more than kMaxOps operations.
bool parse_request_body(ByteView body, std::vector<Op>& ops, std::string& error);

// Sum of the transfer lengths: the size of the Ok reply body.
size_t miso_bytes(const std::vector<Op>& ops);

}  // namespace maxq::sim::spi_socket
