#include "transport/shared_library.h"

#include <dlfcn.h>

#include "transport/errors.h"

namespace maxq::transport {

std::shared_ptr<SharedLibrary> SharedLibrary::open(const std::string& soname,
                                                   const std::string& install_hint) {
  dlerror();  // clear a stale message
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw ConfigError("cannot load " + soname + " (" + (why ? why : "dlopen failed") +
                      "): " + install_hint);
  }
  return std::shared_ptr<SharedLibrary>(new SharedLibrary(handle, soname));
}

SharedLibrary::~SharedLibrary() {
  dlclose(handle_);
}

void* SharedLibrary::symbol(const char* name) const {
  dlerror();
  void* address = dlsym(handle_, name);
  if (address == nullptr) {
    const char* why = dlerror();
    throw ConfigError(soname_ + " has no symbol " + name + " (" + (why ? why : "not found") +
                      "): the installed version is too old");
  }
  return address;
}

}  // namespace maxq::transport
