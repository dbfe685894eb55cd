#include "transport/broker_link.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

namespace maxq::transport {

namespace bp = broker;

BrokerLink::BrokerLink(std::string socket_path, std::chrono::milliseconds reply_timeout)
    : path_(std::move(socket_path)), reply_timeout_(reply_timeout) {
  if (path_.empty() || path_.size() >= sizeof(sockaddr_un::sun_path))
    throw ConfigError("device broker:" + path_ + ": a unix socket path must be 1 to " +
                      std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes long");
  connect();
}

void BrokerLink::fail(LinkError::Kind kind, const std::string& what) {
  throw LinkError(kind, "broker:" + path_ + ": " + what);  // also from the constructor
}

void BrokerLink::connect() {
  disconnect();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  posix::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) fail(LinkError::Kind::Io, std::string("socket(): ") + std::strerror(errno));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int e = errno;
    const std::string start =
        "start it (systemctl start maxq1061d.socket, or maxq1061d --device DEVICE --socket " +
        path_ + ")";
    switch (e) {
      case ENOENT:
        fail(LinkError::Kind::NotFound, "no maxq1061d socket here; " + start);
      case ECONNREFUSED:
        fail(LinkError::Kind::NotFound,
             "maxq1061d does not listen on this socket (it stopped or was killed); " + start);
      case EACCES:
      case EPERM:
        fail(LinkError::Kind::Permission,
             "permission denied on maxq1061d's socket: only members of its group may use the "
             "chip; add this user to it (usermod -aG maxq1061 USER, then log in again)");
      case EAGAIN:
        fail(LinkError::Kind::Io, "maxq1061d is too busy to accept a connection; try again");
      default:
        fail(LinkError::Kind::Io, std::string("cannot connect: ") + std::strerror(e));
    }
  }
  fd_ = std::move(fd);
  posix::fork_private_add(fd_.get());  // a forked child must not keep a connection mid-command
}

bool BrokerLink::peer_gone() const {
  // The daemon speaks only when asked, but for a notice before it closes.
  pollfd p{fd_.get(), POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && p.revents != 0;
}

bool BrokerLink::send_all(ByteView bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t r = ::send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    sent += static_cast<size_t>(r);
  }
  return true;
}

void BrokerLink::receive_exact(uint8_t* out, size_t n,
                               std::chrono::steady_clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_.get(), POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      disconnect();  // a late reply must not be taken for the next one
      fail(LinkError::Kind::Timeout, "maxq1061d did not answer within " +
                                         std::to_string(reply_timeout_.count()) +
                                         " ms; the command may have run; check the daemon's log "
                                         "(journalctl -u maxq1061d)");
    }
    ssize_t r = ::recv(fd_.get(), out + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      std::string why = r == 0 ? "closed the connection" : std::strerror(errno);
      disconnect();
      fail(LinkError::Kind::Disconnected,
           "maxq1061d went away (" + why +
               ") in the middle of a command (it was stopped or killed); the command may have "
               "run; the next command reconnects");
    }
    got += static_cast<size_t>(r);
  }
}

void BrokerLink::fail_with(const bp::ErrorBody& e) {
  switch (e.code) {
    case bp::ErrorCode::DeviceUnavailable:
      throw LinkError(LinkError::Kind::NotFound, e.message);
    case bp::ErrorCode::MayHaveRun:
      throw ProtocolError(e.message);
    case bp::ErrorCode::Unsupported:
      throw UnsupportedError(e.message);
    case bp::ErrorCode::Forbidden:
      throw LinkError(LinkError::Kind::Permission, e.message);
    case bp::ErrorCode::NotPermitted:
      disconnect();
      throw LinkError(LinkError::Kind::Permission, e.message);
    case bp::ErrorCode::TooManyClients:
      disconnect();
      throw LinkError(LinkError::Kind::Io, e.message);
    case bp::ErrorCode::ShuttingDown:
    case bp::ErrorCode::IdleTimeout:
      disconnect();
      throw LinkError(LinkError::Kind::Disconnected, e.message);
    case bp::ErrorCode::BadMessage:
      disconnect();
      throw ProtocolError(e.message);
  }
  throw ProtocolError(e.message);
}

bp::MessageType BrokerLink::exchange(ByteView message, Bytes& body) {
  if (fd_.valid() && peer_gone()) disconnect();  // restarted, or closed an idle connection
  if (!fd_.valid()) connect();
  if (!send_all(message)) {
    // The daemon closed before reading anything of it: nothing ran. A
    // refusal (client limit, group) may be waiting to be read; else reconnect.
    uint8_t head[bp::kHeaderBytes];
    std::string error;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, 0) > 0 &&
        ::recv(fd_.get(), head, sizeof head, MSG_PEEK) == static_cast<ssize_t>(sizeof head)) {
      auto h = bp::parse_header(ByteView(head, sizeof head), error);
      if (h && h->type == bp::MessageType::Error) {
        Bytes b(bp::kHeaderBytes + h->body_length);
        ssize_t r = ::recv(fd_.get(), b.data(), b.size(), 0);
        if (r == static_cast<ssize_t>(b.size()))
          if (auto e = bp::parse_error(ByteView(b).subview(bp::kHeaderBytes))) fail_with(*e);
      }
    }
    connect();
    if (!send_all(message)) {
      disconnect();
      fail(LinkError::Kind::Disconnected,
           "maxq1061d closed the connection before taking the command (it is stopping or "
           "restarting); the command did not run; try again");
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + reply_timeout_;
  uint8_t head[bp::kHeaderBytes];
  receive_exact(head, sizeof head, deadline);
  std::string error;
  std::optional<bp::Header> h = bp::parse_header(ByteView(head, sizeof head), error);
  if (!h) {
    disconnect();
    throw ProtocolError(describe() + ": malformed message from maxq1061d: " + error);
  }
  body.assign(h->body_length, 0);
  if (!body.empty()) receive_exact(body.data(), body.size(), deadline);
  if (h->type == bp::MessageType::Error) {
    std::optional<bp::ErrorBody> e = bp::parse_error(body);
    if (!e) {
      disconnect();
      throw ProtocolError(describe() + ": malformed error message from maxq1061d");
    }
    fail_with(*e);
  }
  return h->type;
}

Bytes BrokerLink::transact(ByteView command_frame, size_t expected_payload) {
  Bytes message;
  try {
    message = bp::encode_command(command_frame, expected_payload);
  } catch (const std::length_error& e) {
    throw ProtocolError(describe() + ": " + e.what());
  }
  Bytes body;
  bp::MessageType type = exchange(message, body);
  secure_zero(message.data(), message.size());  // may carry a digest or a peer point
  if (type != bp::MessageType::Response) {
    disconnect();
    throw ProtocolError(describe() + ": maxq1061d answered a command with message type " +
                        std::to_string(static_cast<int>(type)));
  }
  return body;  // the response frame; the Device checks it
}

bp::BrokerStatus BrokerLink::daemon_status() {
  Bytes request = bp::encode_message(bp::MessageType::StatusRequest, ByteView());
  Bytes body;
  bp::MessageType type = exchange(request, body);
  std::string error;
  std::optional<bp::BrokerStatus> s;
  if (type == bp::MessageType::StatusReply) s = bp::parse_status(body, error);
  if (!s) {
    disconnect();
    throw ProtocolError(describe() + ": malformed status from maxq1061d" +
                        (error.empty() ? std::string() : ": " + error));
  }
  return *s;
}

std::unique_ptr<Link> open_broker_link(const DeviceSpec& spec) {
  return std::make_unique<BrokerLink>(spec.target);
}

LinkScheme broker_link_scheme() {
  LinkScheme s;
  s.name = "broker";
  s.usage = "broker:PATH (maxq1061d)";
  s.takes_options = false;  // the socket path may hold commas
  s.empty_target = bp::kDefaultSocketPath;
  s.open = open_broker_link;
  return s;
}

}  // namespace maxq::transport
