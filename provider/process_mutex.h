// A mutex that a forked child never finds held. After fork() only the forking
// thread exists in the child; if another thread of the parent held a plain
// std::mutex at that moment (say, opening the device, which waits on the bus),
// the child would block on it forever. ProcessMutex hands each process its own
// mutex: the first lock in a new process replaces the parent's, which is
// abandoned (a few bytes per fork, as the parent's device session is).
#pragma once

#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace maxq::provider {

class ProcessMutex {
 public:
  ProcessMutex() : current_(new_for_this_process().release()) {}
  ~ProcessMutex() { std::unique_ptr<Owned> last(current_.load()); }
  ProcessMutex(const ProcessMutex&) = delete;
  ProcessMutex& operator=(const ProcessMutex&) = delete;

  void lock() { get().lock(); }
  void unlock() { current_.load()->mutex.unlock(); }

 private:
  struct Owned {
    pid_t pid;
    std::mutex mutex;
  };
  static std::unique_ptr<Owned> new_for_this_process() {
    auto owned = std::make_unique<Owned>();
    owned->pid = getpid();
    return owned;
  }
  std::mutex& get() {
    Owned* seen = current_.load();
    if (seen->pid == getpid()) return seen->mutex;
    // First lock in a forked child: threads of the child race here at most
    // with each other, and exactly one replacement wins.
    std::unique_ptr<Owned> fresh = new_for_this_process();
    if (current_.compare_exchange_strong(seen, fresh.get())) return fresh.release()->mutex;
    return current_.load()->mutex;
  }

  std::atomic<Owned*> current_;
};

}  // namespace maxq::provider
