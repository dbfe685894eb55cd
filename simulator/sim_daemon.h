// The `maxq1061-sim` daemon: one simulated chip served on a unix socket to
// several clients (the unix link), one SPI batch at a time. Messages are those
// of simulator/spi_socket_protocol.h. The daemon never trusts a client: a
// malformed message (bad magic, unknown op, a length beyond the limits or past
// the message) disconnects that client and nothing else. Logs go to stderr.
//
// Chip-select windows and several clients: a client's batch that starts a new
// window (a Select before its first transfer) takes the chip, ending any
// window another client left open; a batch that would continue a window
// another client has since ended is refused with a message. Clients serialise
// whole commands with an advisory lock on SOCKET.lock (the Device does), so
// in practice no window is ever cut short.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "simulator/chip.h"
#include "simulator/spi_socket_protocol.h"

namespace maxq::sim {

struct DaemonOptions {
  std::string socket_path;
  size_t max_clients = 64;
  bool verbose = false;  // log every connection, not only problems
};

class SimDaemon {
 public:
  // Binds `options.socket_path` (mode 0600), replacing a stale socket a killed
  // daemon left behind but refusing a live one or a file that is not a socket,
  // and creates the clients' lock file. Throws std::runtime_error saying what
  // to do.
  SimDaemon(std::unique_ptr<Chip> chip, DaemonOptions options);
  // Disconnects every client and removes the socket and the lock file.
  ~SimDaemon();
  SimDaemon(const SimDaemon&) = delete;
  SimDaemon& operator=(const SimDaemon&) = delete;

  // Serves until `stop_fd` becomes readable (the executable passes a signalfd
  // for SIGTERM and SIGINT).
  void serve(int stop_fd);

  static std::string lock_path_for(const std::string& socket_path) { return socket_path + ".lock"; }

 private:
  struct Client;
  void accept_clients();
  void receive(Client& c);
  void flush(Client& c);
  void handle_request(Client& c);
  Bytes run_batch(Client& c, const std::vector<spi_socket::Op>& ops,
                  spi_socket::ReplyStatus& status);
  void drop(Client& c, const std::string& why, bool problem);
  void log(const std::string& msg) const;

  std::unique_ptr<Chip> chip_;
  DaemonOptions options_;
  int listen_fd_ = -1;
  std::vector<std::unique_ptr<Client>> clients_;
  uint64_t next_client_id_ = 1;
  uint64_t owner_ = 0;  // client whose chip-select window the chip is in (0: none)
};

}  // namespace maxq::sim
