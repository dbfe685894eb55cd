// A Link moves one command frame to the chip and brings back its response frame.
// Implementations: SpiLink over a SpiBus (in-process simulator, unix socket,
// FTDI MPSSE). The Device above it does framing checks, retries and locking.
#pragma once

#include <string>

#include "wire/bytes.h"

namespace maxq::transport {

class Link {
 public:
  virtual ~Link() = default;
  // Sends `command_frame` and returns the bytes of the response frame, starting
  // with 0x55 and as long as its header announces (not CRC-checked here).
  // `expected_payload` is a hint of the response payload size so the link can
  // clock the whole answer in as few bus round trips as possible.
  // Throws LinkError (timeout, I/O) or ProtocolError (length beyond the limit).
  virtual Bytes transact(ByteView command_frame, size_t expected_payload) = 0;
  // Called after a failed exchange so the next one starts from a clean state
  // (chip select cycled).
  virtual void reset() = 0;
  // "sim:/path/to/state", "ftdi:i:0x0403:0x6014", for messages.
  virtual std::string describe() const = 0;
  // File used for the cross-process lock around each command ("" for none).
  virtual std::string lock_path() const = 0;
  // True when a real MAXQ1061 answers (an FTDI bridge): the simulator's
  // extensions of the protocol (raw ECDH) must not be sent to it.
  virtual bool reaches_hardware() const { return false; }
};

}  // namespace maxq::transport
