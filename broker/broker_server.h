// maxq1061d's front door: accepts clients on the listening socket, checks who
// they are (SO_PEERCRED against the socket's group), enforces the client
// limit with a refusal that names the setting, starts a ClientSession per
// client, answers status requests, and on SIGTERM stops accepting, lets
// commands in progress finish, cleans every client up and returns.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "broker/broker_log.h"
#include "broker/chip_broker.h"
#include "broker/client_session.h"
#include "broker/listen_socket.h"

namespace maxq::broker {

struct ServerSettings {
  size_t max_clients = 64;
  // When set, only root, the daemon's own user and members of this group
  // (primary or supplementary) are served, whatever the socket's mode lets in.
  std::optional<gid_t> group;
  SessionSettings session;
};

class BrokerServer {
 public:
  BrokerServer(UniqueFd listen_fd, ServerSettings settings, ChipBroker& broker, const Log& log);
  ~BrokerServer();
  BrokerServer(const BrokerServer&) = delete;
  BrokerServer& operator=(const BrokerServer&) = delete;

  // Serves until `stop_fd` (a signalfd for SIGTERM/SIGINT) becomes readable.
  void serve(int stop_fd);

 private:
  void accept_one();
  void refuse(UniqueFd fd, ErrorCode code, const std::string& message);
  void reap();
  size_t active() const;
  Bytes status_message() const;

  UniqueFd listen_fd_;
  ServerSettings settings_;
  ChipBroker& broker_;
  const Log& log_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  uint64_t next_id_ = 1;
  uint64_t connections_ = 0;  // main thread only; copied for status under mutex_
  uint64_t refused_ = 0;
  mutable std::mutex mutex_;  // sessions_ and the two counters, read by status requests
  std::list<std::unique_ptr<ClientSession>> sessions_;
};

}  // namespace maxq::broker
