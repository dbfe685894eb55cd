// Resident set size of this process, from /proc/self/status.
#pragma once

#include <cstdint>

namespace maxq::bench {

struct MemoryUsage {
  uint64_t rss_kib = 0;   // VmRSS
  uint64_t peak_kib = 0;  // VmHWM
};
MemoryUsage memory_usage();

}  // namespace maxq::bench
