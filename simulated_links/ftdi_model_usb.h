// An FtdiUsb whose "USB device" is the in-memory FT232H of
// simulator/mpsse_model.h with a simulated MAXQ1061 behind it. Used by the
// tests of the ftdi link and by the device string `ftdi:model:STATE`, which
// runs the whole ftdi link (MPSSE bytes included) without hardware.
//
// It can also misbehave the way USB devices do, with libftdi's return codes:
// refuse to open (not found, permission), get unplugged after a number of
// writes, deliver reads in small pieces, or never deliver at all.
#pragma once

#include <memory>
#include <string>

#include "simulator/mpsse_model.h"
#include "transport/ftdi_usb.h"

namespace maxq::transport {

class ModelFtdiUsb : public FtdiUsb {
 public:
  explicit ModelFtdiUsb(std::unique_ptr<sim::MpsseModel> model);

  int open(const std::string& description, char interface) override;
  int reset() override;
  int purge() override;
  int set_latency_timer(uint8_t ms) override;
  int set_bitmode(uint8_t pin_mask, uint8_t mode) override;
  int write(const uint8_t* data, int size) override;
  int read(uint8_t* data, int size) override;
  void close() override;
  std::string error_string() const override { return error_; }

  // --- misbehaviour, with libftdi's codes and texts ---
  // The next open() fails with `code` and libftdi's `message`.
  void fail_open(int code, std::string message);
  // After `writes` more successful writes the device is gone: every call fails
  // like libusb on an unplugged device. 0 unplugs at once.
  void unplug_after_writes(int writes);
  // Plugged back in: the next open() works again (the model's chip is kept).
  void replug();
  // At most `n` bytes per read call (USB packets); 0 for no limit.
  void limit_read_chunk(size_t n) { read_chunk_ = n; }
  // Reads return nothing, as if the bridge had stalled.
  void stall_reads(bool on) { stall_reads_ = on; }

  sim::MpsseModel& model() { return *model_; }
  const std::string& opened_description() const { return description_; }
  char opened_interface() const { return interface_; }
  bool is_open() const { return open_; }

 private:
  int gone(const char* what);

  std::unique_ptr<sim::MpsseModel> model_;
  std::string error_ = "all fine";
  std::string description_;
  char interface_ = 0;
  bool open_ = false;
  int open_failure_ = 0;
  std::string open_failure_message_;
  int writes_until_unplug_ = -1;  // -1: never
  bool unplugged_ = false;
  size_t read_chunk_ = 0;
  bool stall_reads_ = false;
};

}  // namespace maxq::transport
