#include "bench/process_memory.h"

#include <cstdlib>
#include <fstream>
#include <string>

namespace maxq::bench {

MemoryUsage memory_usage() {
  MemoryUsage m;
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
    if (line.rfind("VmHWM:", 0) == 0) m.peak_kib = std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return m;
}

}  // namespace maxq::bench
