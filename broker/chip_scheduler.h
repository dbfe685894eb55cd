// Who uses the chip next. Commands are served one at a time in the order they
// arrived (a ticket per command), so one client's long command (a key
// generation) delays the others by its own duration and no more. While a
// client holds the chip (an admin sequence, admin_isolation.h) only that
// client's commands run; the others keep their places in the queue. A hold
// ends when its owner ends it, or, once its deadline has passed, when another
// client is waiting: that client's turn then reports the expired hold and the
// caller ends it on the chip before running its own command.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

#include "broker/admin_isolation.h"

namespace maxq::broker {

class ChipScheduler {
 public:
  using Clock = std::chrono::steady_clock;

  // The right to use the chip, until destroyed.
  class Turn {
   public:
    Turn(Turn&& o) noexcept
        : owner_(o.owner_), expired_client_(o.expired_client_), expired_kind_(o.expired_kind_) {
      o.owner_ = nullptr;
    }
    Turn& operator=(Turn&&) = delete;
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn();
    // The hold that expired to give this turn (client 0 / None: none).
    ClientId expired_client() const { return expired_client_; }
    HoldKind expired_kind() const { return expired_kind_; }

   private:
    friend class ChipScheduler;
    explicit Turn(ChipScheduler* owner) : owner_(owner) {}
    ChipScheduler* owner_;
    ClientId expired_client_ = 0;
    HoldKind expired_kind_ = HoldKind::None;
  };

  // Waits for `client`'s turn. nullopt once stop() was called, unless
  // `cleanup` (a departing client's own cleanup still runs during shutdown).
  std::optional<Turn> acquire(ClientId client, bool cleanup = false);

  // With a turn: give `client` the hold `kind` until `deadline` (None releases
  // a hold `client` has; a hold of another client is left alone).
  void set_hold(ClientId client, HoldKind kind, Clock::time_point deadline);
  HoldKind hold_of(ClientId client) const;
  ClientId hold_owner() const;

  // Wakes every waiter: acquire() returns nullopt from now on (but cleanup).
  void stop();
  // Commands waiting for their turn.
  size_t waiting() const;

 private:
  struct Ticket {
    uint64_t seq;
    ClientId client;
  };
  void release();
  bool first_eligible(uint64_t seq) const;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Ticket> queue_;
  uint64_t next_seq_ = 1;
  bool busy_ = false;
  bool stopping_ = false;
  ClientId hold_client_ = 0;
  HoldKind hold_kind_ = HoldKind::None;
  Clock::time_point hold_deadline_{};
  // A hold that expired and is not yet ended on the chip by a turn.
  ClientId expired_client_ = 0;
  HoldKind expired_kind_ = HoldKind::None;
};

}  // namespace maxq::broker
