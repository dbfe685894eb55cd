// broker:PATH: the chip as maxq1061d serves it on its unix socket (broker/).
// One transact() is one message each way: the whole command frame out, the
// whole response frame back; polling, chip select and bus retries happen in
// the daemon, next to the bus. No file lock: the daemon serialises commands.
// The connection is made when the link is opened and again, on the next
// command, after the daemon went away (restarted, stopped, idle timeout).
#pragma once

#include <chrono>
#include <string>

#include "broker/broker_protocol.h"
#include "posix/file_locking.h"
#include "posix/unique_fd.h"
#include "transport/device_spec.h"
#include "transport/errors.h"
#include "transport/link.h"
#include "transport/link_registry.h"

namespace maxq::transport {

class BrokerLink : public Link {
 public:
  // Connects at once so a missing daemon is reported when the device is
  // opened. Throws ConfigError (unusable path) or LinkError.
  explicit BrokerLink(std::string socket_path,
                      std::chrono::milliseconds reply_timeout = std::chrono::seconds(60));
  ~BrokerLink() override { disconnect(); }

  // Throws LinkError (NotFound: the daemon or its device is unavailable;
  // Permission: refused; Disconnected: the daemon went away mid-command;
  // Timeout; Io) or ProtocolError (the answer was lost after the command
  // reached the chip, or a malformed message).
  Bytes transact(ByteView command_frame, size_t expected_payload) override;
  void reset() override {}  // the daemon resets the bus itself
  std::string describe() const override { return "broker:" + path_; }
  std::string lock_path() const override { return ""; }

  // The daemon's clients and counters (`maxq1061-tool status`).
  broker::BrokerStatus daemon_status();
  bool connected() const { return fd_.valid(); }

 private:
  void connect();
  void disconnect() {
    posix::fork_private_remove(fd_.get());
    fd_.reset();
  }
  bool peer_gone() const;
  bool send_all(ByteView bytes);
  // One request and its reply; returns the reply's type and body.
  broker::MessageType exchange(ByteView message, Bytes& body);
  void receive_exact(uint8_t* out, size_t n, std::chrono::steady_clock::time_point deadline);
  [[noreturn]] void fail(LinkError::Kind kind, const std::string& what);
  [[noreturn]] void fail_with(const broker::ErrorBody& error);

  std::string path_;
  std::chrono::milliseconds reply_timeout_;
  posix::UniqueFd fd_;
};

std::unique_ptr<Link> open_broker_link(const DeviceSpec& spec);
// broker:PATH (broker: alone: broker::kDefaultSocketPath).
LinkScheme broker_link_scheme();

}  // namespace maxq::transport
