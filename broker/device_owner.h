// The one device maxq1061d serves: opened from a device string (sim:, unix:,
// ftdi:), reopened after the bus failed (a bridge unplugged and plugged in
// again), and one command frame at a time through it with the retries that
// belong next to the bus. Not thread-safe: the ChipScheduler's turn
// serialises every call.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "broker/broker_log.h"
#include "transport/device.h"
#include "transport/device_spec.h"
#include "transport/link_registry.h"
#include "wire/bytes.h"

namespace maxq::broker {

struct ExchangeResult {
  enum class Kind {
    Answered,     // `response` holds the chip's response frame; `status` its status word
    Unavailable,  // the device could not be reached; the command did not run
    MayHaveRun,   // the command reached the chip but its answer was lost
  };
  Kind kind = Kind::Unavailable;
  Bytes response;
  uint16_t status = 0;
  std::string message;  // for Unavailable and MayHaveRun: what failed and what to do
};

class DeviceOwner {
 public:
  // Opens the device at once when it can; a device that cannot be opened yet
  // (unplugged) is retried at each command, and `on_open` runs after every
  // successful (re)open, before the command (the daemon's housekeeping: the
  // chip may have lost its RAM objects and its admin condition).
  // `links` opens `spec` (the daemon's registry: built-in and simulated links).
  DeviceOwner(transport::LinkRegistry links, transport::DeviceSpec spec, const Log& log,
              transport::DeviceOptions options = {});
  ~DeviceOwner();
  DeviceOwner(const DeviceOwner&) = delete;
  DeviceOwner& operator=(const DeviceOwner&) = delete;

  void set_on_open(std::function<void(transport::Device&)> on_open) {
    on_open_ = std::move(on_open);
  }

  // One command frame (already checked by the caller), `expected_payload` the
  // client's hint of the answer's size.
  ExchangeResult exchange(ByteView command_frame, uint8_t command, size_t expected_payload);

  // Readable from any thread (status).
  bool available() const { return available_.load(std::memory_order_relaxed); }
  std::string describe() const { return spec_.to_string(); }
  // A real chip (an FTDI bridge, or its in-memory model ftdi:model:): the
  // simulator's protocol extensions must not reach it.
  bool reaches_hardware() const { return spec_.scheme.rfind("ftdi", 0) == 0; }
  uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }
  // Tries to open the device now if it is closed; false when it stays closed.
  bool ensure_open();

 private:
  void close(const std::string& why);

  transport::LinkRegistry links_;
  transport::DeviceSpec spec_;
  const Log& log_;
  transport::DeviceOptions options_;
  std::unique_ptr<transport::Device> device_;
  std::function<void(transport::Device&)> on_open_;
  std::string last_open_error_;
  std::atomic<uint64_t> retries_{0};
  std::atomic<bool> available_{false};
  bool in_on_open_ = false;
};

// Commands the daemon may send again after their answer was damaged on the
// bus: they change nothing on the chip that a repetition would change again
// (the transport README's list).
bool repeatable(uint8_t command);

}  // namespace maxq::broker
