#include "simulated_links/ftdi_model_usb.h"

#include <algorithm>
#include <stdexcept>

#include "simulator/state_error.h"
#include "transport/errors.h"

namespace maxq::transport {
namespace {
// libusb_error LIBUSB_ERROR_NO_DEVICE, which libftdi passes through from bulk transfers.
constexpr int kLibusbNoDevice = -4;
}  // namespace

ModelFtdiUsb::ModelFtdiUsb(std::unique_ptr<sim::MpsseModel> model) : model_(std::move(model)) {
  if (!model_) throw std::invalid_argument("ModelFtdiUsb needs a model");
}

void ModelFtdiUsb::fail_open(int code, std::string message) {
  open_failure_ = code;
  open_failure_message_ = std::move(message);
}

void ModelFtdiUsb::unplug_after_writes(int writes) {
  writes_until_unplug_ = writes;
  if (writes == 0) unplugged_ = true;
}

void ModelFtdiUsb::replug() {
  unplugged_ = false;
  writes_until_unplug_ = -1;
}

int ModelFtdiUsb::gone(const char* what) {
  error_ = what;
  return kLibusbNoDevice;
}

int ModelFtdiUsb::open(const std::string& description, char interface) {
  close();
  description_ = description;
  interface_ = interface;
  if (unplugged_) {
    error_ = "device not found";
    return -3;
  }
  if (open_failure_ != 0) {
    int code = open_failure_;
    error_ = open_failure_message_;
    open_failure_ = 0;
    return code;
  }
  open_ = true;
  error_ = "all fine";
  return 0;
}

int ModelFtdiUsb::reset() {
  if (!open_ || unplugged_) return error_ = "FTDI reset failed", -1;
  model_->usb_reset();
  return 0;
}

int ModelFtdiUsb::purge() {
  if (!open_ || unplugged_) return error_ = "FTDI purge of RX buffer failed", -1;
  model_->purge();
  return 0;
}

int ModelFtdiUsb::set_latency_timer(uint8_t ms) {
  if (!open_ || unplugged_) return error_ = "unable to set latency timer", -2;
  if (ms < 1) return error_ = "latency out of range. Only valid for 1-255", -1;
  model_->set_latency_timer(ms);
  return 0;
}

int ModelFtdiUsb::set_bitmode(uint8_t pin_mask, uint8_t mode) {
  if (!open_ || unplugged_)
    return error_ = "unable to configure bitbang mode. Perhaps not a BM type chip?", -1;
  model_->set_bitmode(pin_mask, mode);
  return 0;
}

int ModelFtdiUsb::write(const uint8_t* data, int size) {
  if (!open_) return error_ = "USB device unavailable", -666;
  if (unplugged_) return gone("usb bulk write failed");
  try {
    model_->write(ByteView(data, static_cast<size_t>(size)));
  } catch (const sim::StateError& e) {
    throw LinkError(LinkError::Kind::Io, "ftdi:" + description_ + ": " + e.what());
  }
  if (writes_until_unplug_ > 0 && --writes_until_unplug_ == 0) unplugged_ = true;
  return size;
}

int ModelFtdiUsb::read(uint8_t* data, int size) {
  if (!open_) return error_ = "USB device unavailable", -666;
  if (unplugged_) return gone("usb bulk read failed");
  if (stall_reads_) {
    uint8_t none = 0;
    model_->read(&none, 0);  // still counted as a read call
    return 0;
  }
  size_t n = static_cast<size_t>(size);
  if (read_chunk_) n = std::min(n, read_chunk_);
  try {
    return static_cast<int>(model_->read(data, n));
  } catch (const sim::StateError& e) {
    throw LinkError(LinkError::Kind::Io, "ftdi:" + description_ + ": " + e.what());
  }
}

void ModelFtdiUsb::close() {
  open_ = false;
}

}  // namespace maxq::transport
