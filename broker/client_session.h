// One connected client of maxq1061d, served by its own thread: reads whole
// messages (broker_protocol.h), checks them, runs command frames through the
// ChipBroker and writes the answers. Everything the client sends is
// untrusted: a malformed or oversized message ends this session (with a
// BadMessage error when it can still be sent) and nothing else. When the
// client goes away, dies or idles out, its admin sequence ends and its
// temporary objects are freed (ChipBroker::client_gone).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "broker/broker_log.h"
#include "broker/chip_broker.h"
#include "broker/listen_socket.h"

namespace maxq::broker {

struct SessionSettings {
  // A client that sends nothing for this long is disconnected, unless it holds
  // temporary objects or the chip (its work would be lost). 0: never.
  std::chrono::seconds idle_timeout{600};
  // Once a message has started, the rest must arrive within this time; a
  // reply the client does not read within it ends the session too.
  std::chrono::milliseconds message_timeout{10000};
};

class ClientSession {
 public:
  using StatusSource = std::function<Bytes()>;  // an encoded StatusReply
  ClientSession(UniqueFd fd, std::unique_ptr<ClientInfo> info, ChipBroker& broker, const Log& log,
                SessionSettings settings, StatusSource status);
  ~ClientSession();  // wakes and joins the thread
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  bool finished() const { return finished_.load(); }
  // Ends the session at its next read (SIGTERM): a command in progress
  // still gets its answer.
  void wake();
  const ClientInfo& info() const { return *info_; }

 private:
  enum class Read { Ok, Closed, Idle, TimedOut, Failed };
  void run();
  void serve();
  Read read_exact(uint8_t* out, size_t n, bool first_byte_may_idle);
  bool send_all(ByteView bytes);
  void send_error(ErrorCode code, const std::string& message);

  UniqueFd fd_;
  std::unique_ptr<ClientInfo> info_;
  ChipBroker& broker_;
  const Log& log_;
  SessionSettings settings_;
  StatusSource status_;
  std::atomic<bool> finished_{false};
  std::thread thread_;  // last: started when everything else is ready
};

}  // namespace maxq::broker
