#include "broker/peer_credentials.h"

#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <fstream>

namespace maxq::broker {
namespace {

std::optional<unsigned long> decimal(const std::string& text) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  unsigned long v = std::stoul(text);
  if (v >= 0xFFFFFFFFul) return std::nullopt;  // (uid_t)-1 means "no change" to the kernel
  return v;
}

}  // namespace

std::optional<PeerCredentials> peer_credentials(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
    return std::nullopt;
  PeerCredentials out;
  out.pid = cred.pid;
  out.uid = cred.uid;
  out.gid = cred.gid;
#ifdef SO_PEERGROUPS
  std::vector<gid_t> groups(64);
  for (int tries = 0; tries < 4; ++tries) {
    socklen_t bytes = static_cast<socklen_t>(groups.size() * sizeof(gid_t));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups.data(), &bytes) == 0) {
      groups.resize(bytes / sizeof(gid_t));
      out.groups = std::move(groups);
      break;
    }
    if (errno != ERANGE) break;
    groups.resize(bytes / sizeof(gid_t) + 1);  // the kernel said how many
  }
#endif
  return out;
}

bool in_group(const PeerCredentials& peer, gid_t group) {
  return peer.gid == group ||
         std::find(peer.groups.begin(), peer.groups.end(), group) != peer.groups.end();
}

std::string user_name(uid_t uid) {
  std::vector<char> buf(16384);
  passwd pw{}, *found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found && pw.pw_name)
    return pw.pw_name;
  return std::to_string(uid);
}

std::string group_name(gid_t gid) {
  std::vector<char> buf(16384);
  group gr{}, *found = nullptr;
  if (getgrgid_r(gid, &gr, buf.data(), buf.size(), &found) == 0 && found && gr.gr_name)
    return gr.gr_name;
  return std::to_string(gid);
}

std::string process_name(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(in, name);
  return name;
}

std::optional<uid_t> lookup_user(const std::string& text) {
  if (auto n = decimal(text)) return static_cast<uid_t>(*n);
  std::vector<char> buf(16384);
  passwd pw{}, *found = nullptr;
  if (getpwnam_r(text.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found) return pw.pw_uid;
  return std::nullopt;
}

std::optional<gid_t> lookup_group(const std::string& text) {
  if (auto n = decimal(text)) return static_cast<gid_t>(*n);
  std::vector<char> buf(16384);
  group gr{}, *found = nullptr;
  if (getgrnam_r(text.c_str(), &gr, buf.data(), buf.size(), &found) == 0 && found) return gr.gr_gid;
  return std::nullopt;
}

}  // namespace maxq::broker
