// Typed errors of the host side. Every message says what failed and what to do.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace maxq::transport {

// Base of everything the transport layer throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The device string or configuration is unusable (bad syntax, missing file).
class ConfigError : public Error {
 public:
  using Error::Error;
};

// Moving bytes failed: no device, unplugged, permission denied, socket closed,
// or the chip never answered 0x55 within the poll budget.
class LinkError : public Error {
 public:
  enum class Kind { NotFound, Permission, Disconnected, Timeout, Io };
  LinkError(Kind kind, const std::string& msg) : Error(msg), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// The bytes arrived but do not form a valid response frame (CRC, sync, length),
// also after the bounded retries, or the response payload does not match the
// command's layout.
class ProtocolError : public Error {
 public:
  using Error::Error;
};

// The chip answered with a status word other than OK.
class ChipError : public Error {
 public:
  ChipError(uint8_t command, uint16_t status, const std::string& msg)
      : Error(msg), command_(command), status_(status) {}
  uint8_t command() const { return command_; }
  uint16_t status() const { return status_; }

 private:
  uint8_t command_;
  uint16_t status_;
};

// A key object holds another key than the one the caller was given for it
// (a key reference or certificate older than the key).
class KeyMismatchError : public Error {
 public:
  using Error::Error;
};

// The operation exists only on the simulated chip (on-chip raw ECDH) and the
// device is real hardware.
class UnsupportedError : public Error {
 public:
  using Error::Error;
};

// Maps a status word of `command` to a ChipError whose message names the
// operation (`what`, e.g. "sign with key 0x0101"), the chip's reason and a hint.
ChipError make_chip_error(uint8_t command, uint16_t status, const std::string& what);

}  // namespace maxq::transport
