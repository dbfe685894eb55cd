// The heart of maxq1061d: runs clients' command frames on the one chip, in
// arrival order (ChipScheduler), with admin isolation (admin_isolation.h),
// temporary objects owned per client (temporary_objects.h) and the optional
// limit on who may create and delete objects. Thread-safe: every client
// session thread calls run() for its own client.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "broker/admin_isolation.h"
#include "broker/broker_log.h"
#include "broker/broker_protocol.h"
#include "broker/chip_scheduler.h"
#include "broker/device_owner.h"
#include "broker/temporary_objects.h"
#include "wire/frame_codec.h"

namespace maxq::broker {

struct IsolationSettings {
  // How long a client's challenge holds the chip for its login.
  std::chrono::milliseconds challenge_hold{500};
  // How long an admin session may stay idle while other clients wait.
  std::chrono::milliseconds admin_hold{10000};
  // When either list is non-empty, only these uids / gids (primary or
  // supplementary) may create persistent objects and delete objects other
  // than their own temporary ones. Root always may.
  std::vector<uid_t> manage_users;
  std::vector<gid_t> manage_groups;
};

// Who a client is (SO_PEERCRED), for the log and the permission checks.
struct ClientInfo {
  ClientId id = 0;
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups
  std::string label;          // "client 7 (pid 1234 nginx, uid 33 www-data)"
  std::chrono::steady_clock::time_point connected = std::chrono::steady_clock::now();
  std::atomic<uint64_t> commands{0};
};

class ChipBroker {
 public:
  ChipBroker(DeviceOwner& device, IsolationSettings settings, const Log& log);

  // Runs one command frame (decoded and checked by the caller from the raw
  // `frame`) for `client`; returns the message to send back: a Response with
  // the chip's (or the daemon's own) response frame, or an Error.
  Bytes run(ClientInfo& client, const wire::CommandFrame& command, ByteView frame,
            size_t expected_payload);
  // The client went away (disconnected, died, timed out): end its admin
  // sequence and delete its temporary objects.
  void client_gone(ClientInfo& client);
  // SIGTERM: waiting commands are answered "shutting down"; cleanups still run.
  void stop();

  // Housekeeping after the device was (re)opened: the daemon owns the chip
  // alone, so an admin condition or temporary objects on it belong to nobody.
  void on_device_open(transport::Device& device);

  // Fills the counters and the clients' holds and temporaries in `out`.
  void fill_status(BrokerStatus& out) const;
  HoldKind hold_of(ClientId client) const { return scheduler_.hold_of(client); }
  size_t temporaries_of(ClientId client) const { return temporaries_.count(client); }

 private:
  Bytes answer(uint16_t status) const;
  Bytes refuse(ErrorCode code, const std::string& message);
  bool may_manage(const ClientInfo& client) const;
  // Ends an expired hold of `client` on the chip (with a turn).
  void end_expired_hold(ClientId client, HoldKind kind);
  // The daemon's own command (with a turn); true when answered OK.
  bool own_command(wire::Command cmd, ByteView payload, const std::string& why);

  DeviceOwner& device_;
  IsolationSettings settings_;
  const Log& log_;
  ChipScheduler scheduler_;
  TemporaryObjects temporaries_;
  ChallengeOwner challenge_;  // under a turn only
  uint64_t generation_ = 0;   // device (re)opens; under a turn only

  std::atomic<uint64_t> commands_{0}, own_commands_{0}, bytes_in_{0}, bytes_out_{0}, failures_{0},
      admin_sessions_{0}, hold_expiries_{0}, temporaries_freed_{0}, busy_us_{0};
};

}  // namespace maxq::broker
