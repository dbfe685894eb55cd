// The SPI bus of a `maxq1061-sim` daemon, reached over its unix socket: one
// run() is one request/reply (simulator/spi_socket_protocol.h), or several in
// order when it has more operations than one request carries. The connection
// is made on first use and again after any failure, so a restarted daemon is
// picked up by the next command.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "simulator/spi_socket_protocol.h"
#include "transport/errors.h"
#include "transport/spi_bus.h"

namespace maxq::transport {

class UnixSocketBus : public SpiBus {
 public:
  // Connects at once so a missing daemon is reported when the device is
  // opened. Throws ConfigError (unusable path) or LinkError (NotFound, Permission).
  explicit UnixSocketBus(std::string socket_path,
                         std::chrono::milliseconds reply_timeout = std::chrono::seconds(30));
  ~UnixSocketBus() override;
  UnixSocketBus(const UnixSocketBus&) = delete;
  UnixSocketBus& operator=(const UnixSocketBus&) = delete;

  // Throws LinkError: Disconnected when the daemon goes away mid-batch,
  // Timeout when it does not reply in time, Io when it refuses the batch.
  Bytes run(const std::vector<SpiOp>& ops) override;
  std::string describe() const override { return "unix:" + path_; }
  // The daemon serves several processes; each holds this lock around a command.
  std::string lock_path() const override { return path_ + ".lock"; }

  bool connected() const { return fd_ >= 0; }

 private:
  void connect();
  void disconnect();
  // One request/reply of at most spi_socket::kMaxOps operations.
  Bytes exchange(const std::vector<sim::spi_socket::Op>& batch);
  void send_all(ByteView bytes);
  void receive_exact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);
  bool peer_gone() const;
  [[noreturn]] void fail(LinkError::Kind kind, const std::string& what);

  std::string path_;
  std::chrono::milliseconds reply_timeout_;
  int fd_ = -1;
};

}  // namespace maxq::transport
