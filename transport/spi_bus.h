// The SPI bus below a SpiLink. One call of run() is one bus round trip (one USB
// write + read on FTDI, one message on the unix socket), so SpiLink batches as
// many operations into one run() as the protocol allows.
#pragma once

#include <string>
#include <vector>

#include "wire/bytes.h"

namespace maxq::transport {

struct SpiOp {
  enum class Kind { Select, Deselect, Transfer };
  Kind kind;
  Bytes tx;  // Transfer only: bytes clocked out on MOSI

  static SpiOp select() { return {Kind::Select, {}}; }
  static SpiOp deselect() { return {Kind::Deselect, {}}; }
  static SpiOp transfer(Bytes tx) { return {Kind::Transfer, std::move(tx)}; }
};

class SpiBus {
 public:
  virtual ~SpiBus() = default;
  // Executes `ops` in order and returns the MISO bytes of all Transfer ops,
  // concatenated. Throws LinkError.
  virtual Bytes run(const std::vector<SpiOp>& ops) = 0;
  virtual std::string describe() const = 0;
  virtual std::string lock_path() const = 0;
  // True for a real chip behind an FTDI bridge (see Link::reaches_hardware).
  virtual bool reaches_hardware() const { return false; }
};

}  // namespace maxq::transport
