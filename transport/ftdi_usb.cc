// libftdi1 behind the FtdiUsb seam, loaded with dlopen at the first ftdi: open.
// <ftdi.h> (libftdi1-dev) gives the types and the functions' signatures; no
// symbol of libftdi1 is linked.
#include "transport/ftdi_usb.h"

#include <ftdi.h>

#include <map>
#include <mutex>

#include "transport/shared_library.h"

namespace maxq::transport {
namespace {

// The libftdi1 functions the link calls, resolved from the loaded library. A
// device holds the library (through `library`) for as long as it exists.
struct LibftdiApi {
  std::shared_ptr<SharedLibrary> library;
  decltype(&ftdi_new) new_context = nullptr;
  decltype(&ftdi_free) free_context = nullptr;
  decltype(&ftdi_set_interface) set_interface = nullptr;
  decltype(&ftdi_usb_open_string) usb_open_string = nullptr;
  decltype(&ftdi_usb_reset) usb_reset = nullptr;
  decltype(&ftdi_tcioflush) tcioflush = nullptr;
  decltype(&ftdi_set_latency_timer) set_latency_timer = nullptr;
  decltype(&ftdi_set_bitmode) set_bitmode = nullptr;
  decltype(&ftdi_write_data) write_data = nullptr;
  decltype(&ftdi_read_data) read_data = nullptr;
  decltype(&ftdi_usb_close) usb_close = nullptr;
  decltype(&ftdi_get_error_string) get_error_string = nullptr;

  explicit LibftdiApi(const char* soname)
      : library(SharedLibrary::open(
            soname, "ftdi: devices need libftdi1; install the Debian package libftdi1-2")) {
    bind(new_context, "ftdi_new");
    bind(free_context, "ftdi_free");
    bind(set_interface, "ftdi_set_interface");
    bind(usb_open_string, "ftdi_usb_open_string");
    bind(usb_reset, "ftdi_usb_reset");
    bind(tcioflush, "ftdi_tcioflush");
    bind(set_latency_timer, "ftdi_set_latency_timer");
    bind(set_bitmode, "ftdi_set_bitmode");
    bind(write_data, "ftdi_write_data");
    bind(read_data, "ftdi_read_data");
    bind(usb_close, "ftdi_usb_close");
    bind(get_error_string, "ftdi_get_error_string");
  }

 private:
  template <class Fn>
  void bind(Fn& fn, const char* name) {
    fn = reinterpret_cast<Fn>(library->symbol(name));
  }
};

// One LibftdiApi per soname, made at first use and kept for the process (the
// entries own a reference; devices own theirs, so a device outliving this map
// at exit still has its library).
std::shared_ptr<const LibftdiApi> libftdi(const char* soname) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const LibftdiApi>> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  std::shared_ptr<const LibftdiApi>& api = loaded[soname];
  if (!api) api = std::make_shared<const LibftdiApi>(soname);
  return api;
}

class LibftdiUsb : public FtdiUsb {
 public:
  explicit LibftdiUsb(std::shared_ptr<const LibftdiApi> api) : api_(std::move(api)) {}
  int open(const std::string& description, char interface) override {
    close();
    ctx_.reset(api_->new_context());
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
    int r = api_->set_interface(ctx_.get(), which);
    if (r < 0) return r;
    r = api_->usb_open_string(ctx_.get(), description.c_str());
    opened_ = r == 0;
    return r;
  }
  int reset() override { return ctx_ ? api_->usb_reset(ctx_.get()) : -2; }
  int purge() override { return ctx_ ? api_->tcioflush(ctx_.get()) : -3; }
  int set_latency_timer(uint8_t ms) override {
    return ctx_ ? api_->set_latency_timer(ctx_.get(), ms) : -3;
  }
  int set_bitmode(uint8_t pin_mask, uint8_t mode) override {
    return ctx_ ? api_->set_bitmode(ctx_.get(), pin_mask, mode) : -2;
  }
  int write(const uint8_t* data, int size) override {
    return ctx_ ? api_->write_data(ctx_.get(), data, size) : -666;
  }
  int read(uint8_t* data, int size) override {
    return ctx_ ? api_->read_data(ctx_.get(), data, size) : -666;
  }
  void close() override {
    if (ctx_ && opened_) api_->usb_close(ctx_.get());
    opened_ = false;
    ctx_.reset();
  }
  std::string error_string() const override {
    if (!ctx_) return error_.empty() ? "USB device unavailable" : error_;
    const char* s = api_->get_error_string(ctx_.get());
    return s ? s : "";
  }
  ~LibftdiUsb() override { LibftdiUsb::close(); }

 private:
  struct ContextFree {
    decltype(&ftdi_free) free_context;
    void operator()(ftdi_context* ctx) const { free_context(ctx); }  // also closes the device
  };
  // Declared first: destroyed last, after the context is freed.
  std::shared_ptr<const LibftdiApi> api_;
  std::unique_ptr<ftdi_context, ContextFree> ctx_{nullptr, ContextFree{api_->free_context}};
  bool opened_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<FtdiUsb> make_libftdi_usb(const char* soname) {
  return std::make_unique<LibftdiUsb>(libftdi(soname));
}

}  // namespace maxq::transport
