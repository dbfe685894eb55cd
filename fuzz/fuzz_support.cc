#include "fuzz/fuzz_support.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace maxq::fuzz {

const std::string& scratch_dir() {
  static const std::string dir = [] {
    // tmpfs when there is one: the chip target's state writes fsync.
    std::string base =
        access("/dev/shm", W_OK) == 0 ? "/dev/shm/maxq-fuzz-XXXXXX" : "/tmp/maxq-fuzz-XXXXXX";
    if (mkdtemp(base.data()) == nullptr) std::abort();
    std::string cmd = "rm -rf '" + base + "'";
    static std::string cleanup = cmd;
    std::atexit([] { (void)!std::system(cleanup.c_str()); });
    return base;
  }();
  return dir;
}

}  // namespace maxq::fuzz
