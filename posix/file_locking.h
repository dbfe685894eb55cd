// Locks on files shared by processes, made safe for fork() and bounded in time.
//
// Fork: a descriptor that holds a flock (or a socket in the middle of a
// command) must not stay open in a forked child: the child's copy refers to
// the same open file description, so the lock would outlive a parent that
// dies and block every other process for good. Registered descriptors are
// replaced by /dev/null in the child (same number: the owner's later unlock
// and close stay harmless) by a pthread_atfork handler; owners that go on in
// the child reopen their file (they check getpid()).
//
// Time: a lock held by a process that never lets go (a foreign or stuck
// holder) gives an error naming the file and the holder, not a silent hang.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace maxq::posix {

// Registers `fd` as one a forked child must not inherit (see above).
void fork_private_add(int fd);
void fork_private_remove(int fd);

// An exclusive flock on `fd` (the file `path`), waiting at most lock_timeout().
// nullopt when held; else the reason (timeout naming the holder, or errno).
std::optional<std::string> lock_exclusive(int fd, const std::string& path);

// How long a lock is waited for (default 30 s); tests shorten it.
std::chrono::milliseconds lock_timeout();
void set_lock_timeout(std::chrono::milliseconds timeout);

// "process 1234 (openssl)" for the holder of a flock on the file `fd` refers
// to, from /proc/locks; empty when not known.
std::string lock_holder(int fd);

}  // namespace maxq::posix
