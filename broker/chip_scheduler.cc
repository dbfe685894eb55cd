#include "broker/chip_scheduler.h"

#include <algorithm>

namespace maxq::broker {

ChipScheduler::Turn::~Turn() {
  if (owner_) owner_->release();
}

void ChipScheduler::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    busy_ = false;
  }
  cv_.notify_all();
}

bool ChipScheduler::first_eligible(uint64_t seq) const {
  // The earliest ticket that may run now (all of them without a hold, only the
  // owner's with one) must be this one.
  for (const Ticket& t : queue_) {
    if (hold_client_ != 0 && t.client != hold_client_) continue;
    return t.seq == seq;
  }
  return false;
}

std::optional<ChipScheduler::Turn> ChipScheduler::acquire(ClientId client, bool cleanup) {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t seq = next_seq_++;
  queue_.push_back({seq, client});
  auto leave = [&] {
    queue_.erase(
        std::find_if(queue_.begin(), queue_.end(), [&](const Ticket& t) { return t.seq == seq; }));
  };
  for (;;) {
    if (stopping_ && !cleanup) {
      leave();
      cv_.notify_all();  // the next ticket may be eligible now
      return std::nullopt;
    }
    bool held_by_other = hold_client_ != 0 && hold_client_ != client;
    if (!busy_) {
      if (held_by_other && Clock::now() >= hold_deadline_) {
        // The hold is over its time and another client waits: it ends now, and
        // the next turn granted (in arrival order) ends it on the chip.
        expired_client_ = hold_client_;
        expired_kind_ = hold_kind_;
        hold_client_ = 0;
        hold_kind_ = HoldKind::None;
        held_by_other = false;
        cv_.notify_all();
      }
      if (!held_by_other && first_eligible(seq)) {
        leave();
        busy_ = true;
        Turn turn(this);
        turn.expired_client_ = expired_client_;
        turn.expired_kind_ = expired_kind_;
        expired_client_ = 0;
        expired_kind_ = HoldKind::None;
        return turn;
      }
    }
    if (held_by_other && !busy_)
      cv_.wait_until(lock, hold_deadline_);
    else
      cv_.wait(lock);
  }
}

void ChipScheduler::set_hold(ClientId client, HoldKind kind, Clock::time_point deadline) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (kind == HoldKind::None) {
      if (hold_client_ == client) {
        hold_client_ = 0;
        hold_kind_ = HoldKind::None;
      }
    } else {
      hold_client_ = client;
      hold_kind_ = kind;
      hold_deadline_ = deadline;
    }
  }
  cv_.notify_all();
}

HoldKind ChipScheduler::hold_of(ClientId client) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hold_client_ == client && client != 0 ? hold_kind_ : HoldKind::None;
}

ClientId ChipScheduler::hold_owner() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return hold_client_;
}

void ChipScheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
}

size_t ChipScheduler::waiting() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.size();
}

}  // namespace maxq::broker
