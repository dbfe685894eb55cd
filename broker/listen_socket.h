// The listening socket of maxq1061d: the one systemd passes (socket
// activation, LISTEN_FDS/LISTEN_PID, no libsystemd needed) or one the daemon
// binds itself, with the group and mode that decide who may use the chip.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "posix/unique_fd.h"

namespace maxq::broker {

using posix::UniqueFd;

struct ListenOptions {
  std::string path;
  std::optional<gid_t> group;  // chgrp'd to this group
  mode_t mode = 0660;          // owner and group
};

// Binds `options.path`: creates its directory (0755) when missing, replaces a
// stale socket a killed daemon left but refuses a live one or a file that is
// not a socket. Throws std::runtime_error saying what to do.
UniqueFd listen_on(const ListenOptions& options);

// The socket systemd passed (LISTEN_PID is this process, LISTEN_FDS is 1), or
// an invalid fd when none was passed. The variables are removed so children do
// not take them. Throws std::runtime_error when what was passed is unusable.
UniqueFd activated_socket();

// Path of a bound unix socket ("" for an unnamed one).
std::string socket_path_of(int fd);

}  // namespace maxq::broker
