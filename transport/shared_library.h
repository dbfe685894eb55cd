// A shared library opened with dlopen at run time, closed (dlclose) when the
// last owner lets go. For what only some devices need: libftdi1 (and the
// libusb and libudev it brings) is loaded at the first open of an ftdi: link,
// so a process whose device is a socket or a simulated chip never maps it.
#pragma once

#include <memory>
#include <string>

namespace maxq::transport {

class SharedLibrary {
 public:
  // dlopen(soname, RTLD_NOW | RTLD_LOCAL). Throws ConfigError naming the
  // library, dlerror()'s reason and `install_hint` when it cannot be loaded.
  static std::shared_ptr<SharedLibrary> open(const std::string& soname,
                                             const std::string& install_hint);
  ~SharedLibrary();
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;

  // The address of `name`; throws ConfigError when the library lacks it.
  void* symbol(const char* name) const;
  const std::string& soname() const { return soname_; }

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  void* handle_;
  std::string soname_;
};

}  // namespace maxq::transport
