#include "broker/client_session.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "wire/frame_codec.h"

namespace maxq::broker {

ClientSession::ClientSession(UniqueFd fd, std::unique_ptr<ClientInfo> info, ChipBroker& broker,
                             const Log& log, SessionSettings settings, StatusSource status)
    : fd_(std::move(fd)),
      info_(std::move(info)),
      broker_(broker),
      log_(log),
      settings_(settings),
      status_(std::move(status)),
      thread_([this] { run(); }) {}

ClientSession::~ClientSession() {
  wake();
  if (thread_.joinable()) thread_.join();
}

void ClientSession::wake() {
  if (fd_.valid()) ::shutdown(fd_.get(), SHUT_RD);
}

void ClientSession::run() {
  try {
    serve();
  } catch (const std::exception& e) {
    log_.error(info_->label + ": session failed: " + e.what());
  }
  try {
    broker_.client_gone(*info_);
  } catch (const std::exception& e) {
    log_.error(info_->label + ": cleanup failed: " + e.what());
  }
  // The client sees the end at once; the descriptor closes when the server reaps.
  ::shutdown(fd_.get(), SHUT_RDWR);
  log_.debug(info_->label + " disconnected after " + std::to_string(info_->commands.load()) +
             " command(s)");
  finished_ = true;
}

ClientSession::Read ClientSession::read_exact(uint8_t* out, size_t n, bool first_byte_may_idle) {
  size_t got = 0;
  while (got < n) {
    int timeout_ms = static_cast<int>(settings_.message_timeout.count());
    const bool idle_wait = first_byte_may_idle && got == 0;
    if (idle_wait) {
      // Idle between messages: only a client holding nothing times out.
      const bool holds =
          broker_.hold_of(info_->id) != HoldKind::None || broker_.temporaries_of(info_->id) != 0;
      timeout_ms = settings_.idle_timeout.count() == 0 || holds
                       ? -1
                       : static_cast<int>(settings_.idle_timeout.count() * 1000);
    }
    pollfd p{fd_.get(), POLLIN, 0};
    int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Read::Failed;
    if (ready == 0) return idle_wait ? Read::Idle : Read::TimedOut;
    ssize_t r = ::recv(fd_.get(), out + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) return got == 0 && first_byte_may_idle ? Read::Closed : Read::Failed;
    if (r < 0) return Read::Failed;
    got += static_cast<size_t>(r);
  }
  return Read::Ok;
}

bool ClientSession::send_all(ByteView bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t r =
        ::send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (r >= 0) {
      sent += static_cast<size_t>(r);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    // The client does not read its answers: wait, within limits.
    pollfd p{fd_.get(), POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(settings_.message_timeout.count())) <= 0) return false;
  }
  return true;
}

void ClientSession::send_error(ErrorCode code, const std::string& message) {
  Bytes m = encode_error(code, message);
  (void)send_all(m);
}

void ClientSession::serve() {
  Bytes body;
  for (;;) {
    uint8_t head[kHeaderBytes];
    switch (read_exact(head, sizeof head, true)) {
      case Read::Ok:
        break;
      case Read::Closed:
        return;
      case Read::Idle:
        log_.debug(info_->label + ": idle for " + std::to_string(settings_.idle_timeout.count()) +
                   " s, disconnected (--idle-timeout)");
        send_error(ErrorCode::IdleTimeout,
                   "maxq1061d closed this connection after " +
                       std::to_string(settings_.idle_timeout.count()) +
                       " s without a command (--idle-timeout); the next command reconnects");
        return;
      case Read::TimedOut:
      case Read::Failed:
        log_.warning(info_->label + ": connection lost in the middle of a message");
        return;
    }
    std::string error;
    std::optional<Header> h = parse_header(ByteView(head, sizeof head), error);
    const size_t limit = h && h->type == MessageType::Command ? kMaxCommandBody : 0;
    if (h && (h->type != MessageType::Command && h->type != MessageType::StatusRequest))
      error = "message type " + std::to_string(static_cast<int>(h->type)) +
              " is one the daemon sends, not a request";
    else if (h && h->body_length > limit)
      error = "a message body of " + std::to_string(h->body_length) + " bytes is over the " +
              std::to_string(limit) + "-byte limit of its type";
    if (!h || !error.empty()) {
      log_.warning(info_->label + ": malformed message (" + error + "): disconnected");
      send_error(ErrorCode::BadMessage, "maxq1061d disconnected this client: " + error);
      return;
    }
    body.assign(h->body_length, 0);
    if (!body.empty() && read_exact(body.data(), body.size(), false) != Read::Ok) {
      log_.warning(info_->label + ": connection lost in the middle of a message");
      return;
    }
    if (h->type == MessageType::StatusRequest) {
      if (!send_all(status_())) return;
      continue;
    }
    std::optional<CommandBody> c = parse_command(body, error);
    wire::CommandFrame frame;
    if (c) {
      wire::FrameError fe = wire::decode_command(c->frame, frame);
      if (fe != wire::FrameError::None)
        error = "malformed command frame (" + std::string(wire::frame_error_name(fe)) + ")";
    }
    if (!c || !error.empty()) {
      secure_zero(body.data(), body.size());
      log_.warning(info_->label + ": " + error + ": disconnected");
      send_error(ErrorCode::BadMessage, "maxq1061d disconnected this client: " + error);
      return;
    }
    Bytes reply = broker_.run(*info_, frame, c->frame, c->expected_payload);
    secure_zero(body.data(), body.size());  // may carry a digest or a peer point
    secure_zero(frame.payload.data(), frame.payload.size());
    const bool sent = send_all(reply);
    secure_zero(reply.data(), reply.size());
    if (!sent) {
      log_.debug(info_->label + ": went away before its answer was sent");
      return;
    }
  }
}

}  // namespace maxq::broker
