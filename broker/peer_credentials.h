// Who is at the other end of a unix socket (SO_PEERCRED, SO_PEERGROUPS), and
// the user and group names maxq1061d logs and takes in its options.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace maxq::broker {

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (SO_PEERGROUPS; empty when unknown)
};

// nullopt when the kernel does not say (not a unix socket).
std::optional<PeerCredentials> peer_credentials(int fd);
// Primary or supplementary group.
bool in_group(const PeerCredentials& peer, gid_t group);

std::string user_name(uid_t uid);     // "www-data", or the number
std::string group_name(gid_t gid);    // "maxq1061", or the number
std::string process_name(pid_t pid);  // /proc/PID/comm, or ""

// A name or a decimal number; nullopt when neither.
std::optional<uid_t> lookup_user(const std::string& text);
std::optional<gid_t> lookup_group(const std::string& text);

}  // namespace maxq::broker
