// maxq1061d's command line.
#pragma once

#include <sys/types.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/broker_protocol.h"
#include "broker/broker_server.h"
#include "broker/chip_broker.h"

namespace maxq::broker {

struct BrokerOptions {
  std::string device;
  std::string socket = kDefaultSocketPath;
  std::optional<gid_t> group;
  std::string group_text;  // as given, for messages
  mode_t socket_mode = 0660;
  bool foreground = false;
  bool verbose = false;
  bool help = false;
  ServerSettings server;
  IsolationSettings isolation;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws UsageError saying which argument is wrong and what it takes.
BrokerOptions parse_options(const std::vector<std::string>& args);
extern const char* const kUsage;

}  // namespace maxq::broker
