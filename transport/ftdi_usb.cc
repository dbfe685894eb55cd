// libftdi1 behind the FtdiUsb seam.
#include "transport/ftdi_usb.h"

#include <ftdi.h>

namespace maxq::transport {
namespace {

struct FtdiContextFree {
  void operator()(ftdi_context* ctx) const { ftdi_free(ctx); }  // also closes the device
};

class LibftdiUsb : public FtdiUsb {
 public:
  int open(const std::string& description, char interface) override {
    close();
    ctx_.reset(ftdi_new());
    if (!ctx_) {
      error_ = "ftdi_new failed (out of memory or libusb could not start)";
      return -1;
    }
    ftdi_interface which = INTERFACE_ANY;
    switch (interface) {
      case 'A':
        which = INTERFACE_A;
        break;
      case 'B':
        which = INTERFACE_B;
        break;
      case 'C':
        which = INTERFACE_C;
        break;
      case 'D':
        which = INTERFACE_D;
        break;
      default:
        break;
    }
    int r = ftdi_set_interface(ctx_.get(), which);
    if (r < 0) return r;
    r = ftdi_usb_open_string(ctx_.get(), description.c_str());
    opened_ = r == 0;
    return r;
  }
  int reset() override { return ctx_ ? ftdi_usb_reset(ctx_.get()) : -2; }
  int purge() override { return ctx_ ? ftdi_tcioflush(ctx_.get()) : -3; }
  int set_latency_timer(uint8_t ms) override {
    return ctx_ ? ftdi_set_latency_timer(ctx_.get(), ms) : -3;
  }
  int set_bitmode(uint8_t pin_mask, uint8_t mode) override {
    return ctx_ ? ftdi_set_bitmode(ctx_.get(), pin_mask, mode) : -2;
  }
  int write(const uint8_t* data, int size) override {
    return ctx_ ? ftdi_write_data(ctx_.get(), data, size) : -666;
  }
  int read(uint8_t* data, int size) override {
    return ctx_ ? ftdi_read_data(ctx_.get(), data, size) : -666;
  }
  void close() override {
    if (ctx_ && opened_) ftdi_usb_close(ctx_.get());
    opened_ = false;
    ctx_.reset();
  }
  std::string error_string() const override {
    if (!ctx_) return error_.empty() ? "USB device unavailable" : error_;
    const char* s = ftdi_get_error_string(ctx_.get());
    return s ? s : "";
  }
  ~LibftdiUsb() override { LibftdiUsb::close(); }

 private:
  std::unique_ptr<ftdi_context, FtdiContextFree> ctx_;
  bool opened_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<FtdiUsb> make_libftdi_usb() {
  return std::make_unique<LibftdiUsb>();
}

}  // namespace maxq::transport
