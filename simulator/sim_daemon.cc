#include "simulator/sim_daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace maxq::sim {

namespace ss = spi_socket;

struct SimDaemon::Client {
  explicit Client(int fd_in, uint64_t id_in) : fd(fd_in), id(id_in) {}
  ~Client() {
    if (fd >= 0) ::close(fd);
    if (!out.empty()) secure_zero(out.data(), out.size());  // may hold an ECDH secret
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  int fd;
  uint64_t id;
  Bytes in;  // the request being received: header, then body
  std::optional<ss::Header> header;
  Bytes out;  // the reply being sent
  size_t out_pos = 0;
  bool closed = false;
};

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof(addr.sun_path))
    throw std::runtime_error("socket path '" + path + "' is empty or longer than " +
                             std::to_string(sizeof(addr.sun_path) - 1) +
                             " bytes; choose a shorter path");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// A socket file left by a daemon that was killed answers connect() with
// ECONNREFUSED; a running daemon accepts.
void clear_stale_socket(const std::string& path, const sockaddr_un& addr) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return;
  if (!S_ISSOCK(st.st_mode))
    throw std::runtime_error(path +
                             " exists and is not a socket; refusing to replace it (remove it or "
                             "choose another --socket)");
  int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) throw std::runtime_error("socket(): " + errno_text());
  int r = ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  int e = errno;
  ::close(probe);
  if (r == 0)
    throw std::runtime_error("another maxq1061-sim already serves " + path +
                             "; stop it first or choose another --socket");
  if (e != ECONNREFUSED)
    throw std::runtime_error("cannot check the existing socket " + path + ": " + std::strerror(e));
  if (::unlink(path.c_str()) != 0)
    throw std::runtime_error("cannot remove the stale socket " + path + ": " + errno_text());
}

}  // namespace

SimDaemon::SimDaemon(std::unique_ptr<Chip> chip, DaemonOptions options)
    : chip_(std::move(chip)), options_(std::move(options)) {
  const std::string& path = options_.socket_path;
  sockaddr_un addr = address_of(path);
  clear_stale_socket(path, addr);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) throw std::runtime_error("socket(): " + errno_text());
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string e = errno_text();
    ::close(listen_fd_);
    throw std::runtime_error("cannot bind " + path + ": " + e + " (is the directory writable?)");
  }
  // Only this user talks to the chip (the socket carries admin authentication).
  if (::chmod(path.c_str(), 0600) != 0 || ::listen(listen_fd_, 64) != 0) {
    std::string e = errno_text();
    ::close(listen_fd_);
    ::unlink(path.c_str());
    throw std::runtime_error("cannot listen on " + path + ": " + e);
  }
  int lock = ::open(lock_path_for(path).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock >= 0) ::close(lock);
}

SimDaemon::~SimDaemon() {
  clients_.clear();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    ::unlink(options_.socket_path.c_str());
    ::unlink(lock_path_for(options_.socket_path).c_str());
  }
}

void SimDaemon::log(const std::string& msg) const {
  std::fprintf(stderr, "maxq1061-sim: %s\n", msg.c_str());
}

void SimDaemon::serve(int stop_fd) {
  log("serving the simulated chip " + chip_->state_path() + " on " + options_.socket_path);
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({stop_fd, POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (auto& c : clients_) {
      // One request at a time per client: read the next only once the reply is out.
      short events = c->out_pos < c->out.size() ? POLLOUT : POLLIN;
      fds.push_back({c->fd, events, 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("poll(): " + errno_text());
    }
    if (fds[0].revents) break;
    size_t polled = fds.size() - 2;
    for (size_t i = 0; i < polled; ++i) {
      Client& c = *clients_[i];
      short re = fds[i + 2].revents;
      if (re & POLLOUT)
        flush(c);
      else if (re & (POLLIN | POLLHUP | POLLERR))
        receive(c);
    }
    clients_.erase(std::remove_if(clients_.begin(), clients_.end(),
                                  [](const std::unique_ptr<Client>& c) { return c->closed; }),
                   clients_.end());
    if (fds[1].revents & POLLIN) accept_clients();
  }
  log("stopping (" + std::to_string(clients_.size()) + " client(s) connected)");
}

void SimDaemon::accept_clients() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        log("accept(): " + errno_text());
      return;
    }
    if (clients_.size() >= options_.max_clients) {
      log("refusing a client: " + std::to_string(options_.max_clients) + " are connected");
      ::close(fd);
      continue;
    }
    clients_.push_back(std::make_unique<Client>(fd, next_client_id_++));
    if (options_.verbose) log("client " + std::to_string(clients_.back()->id) + " connected");
  }
}

void SimDaemon::drop(Client& c, const std::string& why, bool problem) {
  if (c.closed) return;
  if (problem || options_.verbose) log("client " + std::to_string(c.id) + ": " + why);
  if (owner_ == c.id) {
    // A half-sent command or an unread answer must not linger for the next client.
    chip_->deselect();
    chip_->discard_pending();
    owner_ = 0;
  }
  ::close(c.fd);
  c.fd = -1;
  c.closed = true;
}

void SimDaemon::receive(Client& c) {
  size_t want = ss::kHeaderBytes;
  if (c.header) want += c.header->body_length;
  size_t old = c.in.size();
  c.in.resize(want);
  ssize_t r = ::recv(c.fd, c.in.data() + old, want - old, 0);
  if (r <= 0) {
    c.in.resize(old);
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (r == 0)
      drop(c,
           old ? "disconnected in the middle of a message (" + std::to_string(old) + " bytes)"
               : "disconnected",
           old != 0);
    else
      drop(c, "receive failed: " + errno_text(), true);
    return;
  }
  c.in.resize(old + static_cast<size_t>(r));
  if (!c.header && c.in.size() == ss::kHeaderBytes) {
    std::string error;
    c.header = ss::parse_request_header(c.in, error);
    if (!c.header) return drop(c, "malformed request: " + error + "; disconnecting", true);
  }
  if (c.header && c.in.size() == ss::kHeaderBytes + c.header->body_length) handle_request(c);
}

void SimDaemon::handle_request(Client& c) {
  std::vector<ss::Op> ops;
  std::string error;
  bool ok = ss::parse_request_body(ByteView(c.in).subview(ss::kHeaderBytes), ops, error);
  c.in.clear();
  c.header.reset();
  if (!ok) return drop(c, "malformed request: " + error + "; disconnecting", true);
  ss::ReplyStatus status = ss::ReplyStatus::Ok;
  Bytes body = run_batch(c, ops, status);
  c.out = ss::encode_reply(status, body);
  c.out_pos = 0;
  secure_zero(body.data(), body.size());
  flush(c);
}

Bytes SimDaemon::run_batch(Client& c, const std::vector<ss::Op>& ops, ss::ReplyStatus& status) {
  size_t i = 0;
  if (owner_ != c.id) {
    // Deselects first only end this client's own window, which is already over.
    while (i < ops.size() && ops[i].kind == ss::Op::Kind::Deselect) ++i;
    if (i == ops.size()) return {};
    // A client continuing a command (a transfer in a window it had open, or a
    // window that does not start a new frame with 0xAA, as the polls and
    // reads of an answer do) after another client used the chip would read
    // that client's answer, or nothing: refused with the reason.
    const ss::Op* first_transfer = &ops[i];
    if (first_transfer->kind == ss::Op::Kind::Select && i + 1 < ops.size())
      first_transfer = &ops[i + 1];
    bool continues = ops[i].kind == ss::Op::Kind::Transfer ||
                     (owner_ != 0 && first_transfer->kind == ss::Op::Kind::Transfer &&
                      !first_transfer->tx.empty() && first_transfer->tx[0] != wire::kCommandSync);
    if (continues) {
      status = ss::ReplyStatus::Refused;
      std::string m =
          "this client's command was ended because another client used the chip between its "
          "chip-select windows; clients must hold " +
          lock_path_for(options_.socket_path) + " around each command";
      return Bytes(m.begin(), m.end());
    }
    if (owner_ != 0) {
      chip_->deselect();  // force the other client's window closed
      chip_->discard_pending();
    }
    owner_ = c.id;
  }
  Bytes miso(ss::miso_bytes(ops));
  size_t at = 0;
  try {
    for (; i < ops.size(); ++i) {
      switch (ops[i].kind) {
        case ss::Op::Kind::Select:
          chip_->select();
          break;
        case ss::Op::Kind::Deselect:
          chip_->deselect();
          break;
        case ss::Op::Kind::Transfer:
          chip_->transfer(ops[i].tx.data(), miso.data() + at, ops[i].tx.size());
          at += ops[i].tx.size();
          break;
      }
    }
  } catch (const std::exception& e) {
    chip_->deselect();
    chip_->discard_pending();
    owner_ = 0;
    secure_zero(miso.data(), miso.size());
    std::string m = std::string("the simulated chip failed: ") + e.what();
    log("client " + std::to_string(c.id) + ": " + m);
    status = ss::ReplyStatus::Refused;
    if (m.size() > ss::kMaxErrorMessage) m.resize(ss::kMaxErrorMessage);
    return Bytes(m.begin(), m.end());
  }
  // The request's polls too, for tools reading the counters (the chip itself
  // waits for a command before it writes the file).
  chip_->counters().flush();
  return miso;
}

void SimDaemon::flush(Client& c) {
  while (c.out_pos < c.out.size()) {
    ssize_t r = ::send(c.fd, c.out.data() + c.out_pos, c.out.size() - c.out_pos, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      return drop(c, "send failed: " + errno_text(), errno != EPIPE && errno != ECONNRESET);
    }
    c.out_pos += static_cast<size_t>(r);
  }
  secure_zero(c.out.data(), c.out.size());
  c.out.clear();
  c.out_pos = 0;
}

}  // namespace maxq::sim
