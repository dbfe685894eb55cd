#include "broker/broker_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "broker/peer_credentials.h"

namespace maxq::broker {

BrokerServer::BrokerServer(UniqueFd listen_fd, ServerSettings settings, ChipBroker& broker,
                           const Log& log)
    : listen_fd_(std::move(listen_fd)), settings_(settings), broker_(broker), log_(log) {}

BrokerServer::~BrokerServer() {
  std::list<std::unique_ptr<ClientSession>> sessions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions.swap(sessions_);
  }
  for (auto& s : sessions) s->wake();
  sessions.clear();  // joins each
}

size_t BrokerServer::active() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& s : sessions_) n += s->finished() ? 0 : 1;
  return n;
}

void BrokerServer::reap() {
  std::list<std::unique_ptr<ClientSession>> done;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      if ((*it)->finished()) {
        done.push_back(std::move(*it));
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }
  done.clear();  // joined outside the lock: status requests never wait on it
}

void BrokerServer::refuse(UniqueFd fd, ErrorCode code, const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++refused_;
  }
  Bytes m = encode_error(code, message);
  // Best effort: a fresh socket's buffer takes a short message at once.
  (void)::send(fd.get(), m.data(), m.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(fd.get(), SHUT_WR);
}

void BrokerServer::accept_one() {
  UniqueFd fd(::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!fd.valid()) {
    if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
      log_.error(std::string("accept: ") + std::strerror(errno));
    return;
  }
  std::optional<PeerCredentials> peer = peer_credentials(fd.get());
  auto info = std::make_unique<ClientInfo>();
  info->id = next_id_++;
  if (peer) {
    info->pid = peer->pid;
    info->uid = peer->uid;
    info->gid = peer->gid;
    info->groups = peer->groups;
  }
  std::string comm = peer ? process_name(peer->pid) : "";
  info->label = "client " + std::to_string(info->id) +
                (peer ? " (pid " + std::to_string(peer->pid) + (comm.empty() ? "" : " " + comm) +
                            ", uid " + std::to_string(peer->uid) + " " + user_name(peer->uid) +
                            ", gid " + std::to_string(peer->gid) + ")"
                      : " (credentials unknown)");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++connections_;
  }
  if (settings_.group) {
    const bool allowed =
        peer && (peer->uid == 0 || peer->uid == ::geteuid() || in_group(*peer, *settings_.group));
    if (!allowed) {
      const std::string group = group_name(*settings_.group);
      log_.warning(info->label + " refused: not in the socket's group " + group);
      refuse(std::move(fd), ErrorCode::NotPermitted,
             "maxq1061d serves only members of the group '" + group +
                 "': add this user to it (usermod -aG " + group + " USER, then log in again)");
      return;
    }
  }
  reap();
  if (active() >= settings_.max_clients) {
    log_.warning(info->label + " refused: too many clients (" +
                 std::to_string(settings_.max_clients) + ", --max-clients)");
    refuse(std::move(fd), ErrorCode::TooManyClients,
           "maxq1061d refused the connection: too many clients (it serves at most " +
               std::to_string(settings_.max_clients) +
               " at once); raise the daemon's --max-clients setting (OPTIONS in "
               "/etc/default/maxq1061d) or end idle clients");
    return;
  }
  log_.debug(info->label + " connected");
  auto session =
      std::make_unique<ClientSession>(std::move(fd), std::move(info), broker_, log_,
                                      settings_.session, [this] { return status_message(); });
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.push_back(std::move(session));
}

Bytes BrokerServer::status_message() const {
  BrokerStatus s;
  broker_.fill_status(s);
  s.uptime_seconds = static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count());
  s.max_clients = static_cast<uint32_t>(settings_.max_clients);
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  s.connections = connections_;
  s.refused = refused_;
  for (const auto& session : sessions_) {
    if (session->finished()) continue;
    const ClientInfo& info = session->info();
    ClientStatus c;
    c.id = info.id;
    c.pid = info.pid;
    c.uid = info.uid;
    c.gid = info.gid;
    c.commands = info.commands.load();
    size_t temps = broker_.temporaries_of(info.id);
    c.temporary_objects = static_cast<uint16_t>(temps > 0xFFFF ? 0xFFFF : temps);
    c.holds_chip = broker_.hold_of(info.id) != HoldKind::None;
    c.connected_seconds = static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now - info.connected).count());
    s.clients.push_back(c);
  }
  return encode_status(s);
}

void BrokerServer::serve(int stop_fd) {
  for (;;) {
    pollfd fds[2] = {{listen_fd_.get(), POLLIN, 0}, {stop_fd, POLLIN, 0}};
    int ready = ::poll(fds, 2, 1000);
    if (ready < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    if (ready > 0 && fds[1].revents != 0) break;
    if (ready > 0 && (fds[0].revents & POLLIN)) accept_one();
    reap();
  }
  log_.info("stopping: " + std::to_string(active()) +
            " client(s) connected; commands in progress finish first");
  broker_.stop();
  listen_fd_.reset();
  std::list<std::unique_ptr<ClientSession>> sessions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions.swap(sessions_);
  }
  for (auto& s : sessions) s->wake();
  sessions.clear();  // joins: every client's admin sequence ended, temporaries freed
}

}  // namespace maxq::broker
