#include "broker/broker_log.h"

#include <cstdio>
#include <cstdlib>

namespace maxq::broker {

Log::Log(bool verbose) : verbose_(verbose), journal_(secure_getenv("JOURNAL_STREAM") != nullptr) {}

void Log::write(int priority, const std::string& msg) const {
  // One fprintf per line: lines of several threads do not interleave.
  if (journal_)
    std::fprintf(stderr, "<%d>%s\n", priority, msg.c_str());
  else
    std::fprintf(stderr, "maxq1061d: %s\n", msg.c_str());
}

}  // namespace maxq::broker
