#include "simulated_links/unix_socket_bus.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "posix/file_locking.h"
#include "simulator/spi_socket_protocol.h"
#include "wire/protocol.h"

namespace maxq::transport {

namespace ss = sim::spi_socket;

namespace {

// Whether `ops` continue a command an earlier batch began: a transfer before
// any select continues the window the previous batch left open, and a first
// window that does not start with a command frame's sync byte is one of the
// SDK's later windows of a command (polls, header rest, data and CRC: the chip
// resumes its pending answer there: the window rules of simulator/chip.h). Sent
// to a fresh connection, such windows would meet a chip with no answer and be
// polled until the budget runs out; the lost connection is reported instead.
bool continues_command(const std::vector<SpiOp>& ops) {
  bool in_window = false;
  for (const SpiOp& op : ops) {
    if (op.kind == SpiOp::Kind::Deselect) continue;
    if (op.kind == SpiOp::Kind::Select) {
      in_window = true;
      continue;
    }
    if (op.tx.empty()) continue;
    return !in_window || op.tx[0] != wire::kCommandSync;
  }
  return false;
}

bool only_deselects(const std::vector<SpiOp>& ops) {
  for (const SpiOp& op : ops)
    if (op.kind != SpiOp::Kind::Deselect) return false;
  return true;
}

}  // namespace

UnixSocketBus::UnixSocketBus(std::string socket_path, std::chrono::milliseconds reply_timeout)
    : path_(std::move(socket_path)), reply_timeout_(reply_timeout) {
  if (path_.empty() || path_.size() >= sizeof(sockaddr_un::sun_path))
    throw ConfigError("device unix:" + path_ + ": a unix socket path must be 1 to " +
                      std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes long");
  connect();
}

UnixSocketBus::~UnixSocketBus() {
  disconnect();
}

void UnixSocketBus::fail(LinkError::Kind kind, const std::string& what) {
  // Named without the virtual describe(): connect() runs in the constructor.
  throw LinkError(kind, "unix:" + path_ + ": " + what);
}

void UnixSocketBus::disconnect() {
  if (fd_ >= 0) {
    posix::fork_private_remove(fd_);
    ::close(fd_);
  }
  fd_ = -1;
}

void UnixSocketBus::connect() {
  disconnect();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail(LinkError::Kind::Io, std::string("socket(): ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    int e = errno;
    ::close(fd);
    const std::string start = "start it with `maxq1061-sim --state STATE --socket " + path_ + "`";
    switch (e) {
      case ENOENT:
        fail(LinkError::Kind::NotFound, "no simulator daemon socket here; " + start);
      case ECONNREFUSED:
        fail(LinkError::Kind::NotFound,
             "no simulator daemon listens on this socket (it stopped or was killed); " + start);
      case EACCES:
      case EPERM:
        fail(LinkError::Kind::Permission,
             "permission denied on the daemon's socket (mode 0600): run as the user that started "
             "maxq1061-sim");
      default:
        fail(LinkError::Kind::Io, std::string("cannot connect: ") + std::strerror(e));
    }
  }
  fd_ = fd;
  // A forked child must not keep this connection (mid-window, it would hold
  // the daemon's chip select for a parent that died).
  posix::fork_private_add(fd_);
}

bool UnixSocketBus::peer_gone() const {
  // The daemon never speaks unasked: anything readable now is its end closing.
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && p.revents != 0;
}

Bytes UnixSocketBus::run(const std::vector<SpiOp>& ops) {
  if (fd_ >= 0 && peer_gone()) disconnect();
  if (fd_ < 0) {
    // A fresh connection starts with the chip deselected for this client.
    if (only_deselects(ops)) return {};
    if (continues_command(ops))
      fail(LinkError::Kind::Disconnected,
           "the connection to the simulator daemon was lost in the middle of a command (the "
           "daemon exited or was killed); restart it if needed, the next command reconnects");
    connect();
  }
  // One request carries at most ss::kMaxOps operations (and kMaxBodyBytes):
  // a longer run, such as a poll batch of the SDK's one-byte windows (three
  // operations per poll), goes as several requests in order, their MISO
  // bytes joined, as the FTDI bus splits a run into several USB round trips.
  Bytes miso;
  std::vector<ss::Op> batch;
  size_t body_bytes = 0;
  auto flush = [&] {
    if (batch.empty()) return;
    Bytes part = exchange(batch);
    miso.insert(miso.end(), part.begin(), part.end());
    batch.clear();
    body_bytes = 0;
  };
  for (const SpiOp& op : ops) {
    const size_t op_bytes = 1 + (op.kind == SpiOp::Kind::Transfer ? 4 + op.tx.size() : 0);
    if (batch.size() == ss::kMaxOps || body_bytes + op_bytes > ss::kMaxBodyBytes) flush();
    switch (op.kind) {
      case SpiOp::Kind::Select:
        batch.push_back({ss::Op::Kind::Select, {}});
        break;
      case SpiOp::Kind::Deselect:
        batch.push_back({ss::Op::Kind::Deselect, {}});
        break;
      case SpiOp::Kind::Transfer:
        batch.push_back({ss::Op::Kind::Transfer, op.tx});
        break;
    }
    body_bytes += op_bytes;
  }
  flush();
  return miso;
}

Bytes UnixSocketBus::exchange(const std::vector<sim::spi_socket::Op>& batch) {
  Bytes request;
  try {
    request = ss::encode_request(batch);
  } catch (const std::length_error& e) {
    fail(LinkError::Kind::Io, std::string("batch too large for the daemon: ") + e.what());
  }
  const size_t expected = ss::miso_bytes(batch);
  auto deadline = std::chrono::steady_clock::now() + reply_timeout_;
  send_all(request);

  uint8_t head[ss::kHeaderBytes];
  receive_exact(head, sizeof(head), deadline);
  std::string error;
  std::optional<ss::Header> h = ss::parse_reply_header(ByteView(head, sizeof(head)), error);
  if (!h) {
    disconnect();
    fail(LinkError::Kind::Io, "malformed reply from the simulator daemon: " + error);
  }
  Bytes body(h->body_length);
  if (!body.empty()) receive_exact(body.data(), body.size(), deadline);
  if (h->type_or_status == static_cast<uint8_t>(ss::ReplyStatus::Refused)) {
    std::string why(body.begin(), body.end());
    if (why.size() > ss::kMaxErrorMessage) why.resize(ss::kMaxErrorMessage);
    fail(LinkError::Kind::Io, "the simulator daemon refused the batch: " + why);
  }
  if (body.size() != expected) {
    disconnect();
    fail(LinkError::Kind::Io, "the simulator daemon returned " + std::to_string(body.size()) +
                                  " bytes for " + std::to_string(expected) + " clocked");
  }
  return body;
}

void UnixSocketBus::send_all(ByteView bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t r = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      disconnect();
      fail(LinkError::Kind::Disconnected,
           std::string("the simulator daemon went away (") + std::strerror(e) +
               ") in the middle of a command (it exited or was killed); restart it, the next "
               "command reconnects");
    }
    sent += static_cast<size_t>(r);
  }
}

void UnixSocketBus::receive_exact(uint8_t* out, size_t n,
                                  std::chrono::steady_clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      disconnect();  // a late reply must not be taken for the next one
      fail(LinkError::Kind::Timeout, "the simulator daemon did not answer within " +
                                         std::to_string(reply_timeout_.count()) + " ms");
    }
    ssize_t r = ::recv(fd_, out + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      std::string why = r == 0 ? "closed the connection" : std::strerror(errno);
      disconnect();
      fail(LinkError::Kind::Disconnected,
           "the simulator daemon went away (" + why +
               ") in the middle of a command (it exited or was killed); restart it, the next "
               "command reconnects");
    }
    got += static_cast<size_t>(r);
  }
}

}  // namespace maxq::transport
