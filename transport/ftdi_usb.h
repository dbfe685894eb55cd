// The seam between the FTDI link and libftdi1: the handful of calls the link
// makes, behind an interface so that tests (and `ftdi:model:STATE`) can put an
// in-memory FT232H (simulated_links/ftdi_model_usb.h) where the USB device was.
// Every call returns what the libftdi function returns (negative on error) so
// that the mapping of libftdi errors to clear messages lives in one place
// (FtdiMpsseBus) and is tested through this seam.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace maxq::transport {

class FtdiUsb {
 public:
  virtual ~FtdiUsb() = default;
  // ftdi_set_interface (interface 'A'..'D', or 0 for the default) then
  // ftdi_usb_open_string(description). Closes a device opened before.
  virtual int open(const std::string& description, char interface) = 0;
  virtual int reset() = 0;                                      // ftdi_usb_reset
  virtual int purge() = 0;                                      // ftdi_tcioflush
  virtual int set_latency_timer(uint8_t ms) = 0;                // ftdi_set_latency_timer
  virtual int set_bitmode(uint8_t pin_mask, uint8_t mode) = 0;  // ftdi_set_bitmode
  // ftdi_write_data: bytes written, or negative.
  virtual int write(const uint8_t* data, int size) = 0;
  // ftdi_read_data: 0..size bytes that have arrived (0 when none yet), or negative.
  virtual int read(uint8_t* data, int size) = 0;
  virtual void close() = 0;  // ftdi_usb_close
  // ftdi_get_error_string: libftdi's text for the last error.
  virtual std::string error_string() const = 0;
};

// libftdi1's shared object, loaded at run time (never linked): only a process
// that opens an ftdi: device maps libftdi1, libusb-1.0 and libudev.
inline constexpr const char* kLibftdiSoname = "libftdi1.so.2";

// The real thing: libftdi1 on a USB device. Loads libftdi1 (`soname`) at the
// first call and keeps it loaded while a device made by it exists; throws
// ConfigError naming the library and the Debian package libftdi1-2 when it
// cannot be loaded.
std::unique_ptr<FtdiUsb> make_libftdi_usb(const char* soname = kLibftdiSoname);

}  // namespace maxq::transport
