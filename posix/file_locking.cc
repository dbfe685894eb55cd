#include "posix/file_locking.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <thread>

namespace maxq::posix {
namespace {

std::atomic<long long> g_timeout_ms{30000};

// The registry of fork-private descriptors. Its mutex is taken around fork()
// (prepare/parent/child handlers), so the child sees a consistent set.
struct Registry {
  std::mutex mutex;
  std::set<int> fds;
};
Registry& registry() {
  // Never destroyed: OpenSSL tears providers down (closing their chips) from
  // its atexit handler, after this module's static destructors ran. Built in
  // static storage, not on the heap, so a module that is dlclose'd with an
  // empty registry leaves nothing behind.
  alignas(Registry) static unsigned char storage[sizeof(Registry)];
  static Registry* r = new (storage) Registry;
  return *r;
}

void prepare() {
  registry().mutex.lock();
}
void parent() {
  registry().mutex.unlock();
}
void child() {
  Registry& r = registry();
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    for (int fd : r.fds) dup3(null, fd, O_CLOEXEC);
    ::close(null);
  }
  r.fds.clear();
  r.mutex.unlock();
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(prepare, parent, child); });
}

}  // namespace

void fork_private_add(int fd) {
  if (fd < 0) return;
  install_handlers();
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().fds.insert(fd);
}

void fork_private_remove(int fd) {
  if (fd < 0) return;
  std::lock_guard<std::mutex> lock(registry().mutex);
  registry().fds.erase(fd);
}

std::chrono::milliseconds lock_timeout() {
  return std::chrono::milliseconds(g_timeout_ms.load());
}
void set_lock_timeout(std::chrono::milliseconds timeout) {
  g_timeout_ms = timeout.count();
}

std::string lock_holder(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return "";
  char want[64];
  std::snprintf(want, sizeof want, "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long>(st.st_ino));
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
    std::istringstream in(line);
    std::string n, kind, advisory, mode, pid, id;
    if (!(in >> n >> kind >> advisory >> mode >> pid >> id)) continue;
    if (n == "->" || kind != "FLOCK" || id != want) continue;
    std::string name;
    std::ifstream comm("/proc/" + pid + "/comm");
    std::getline(comm, name);
    if (pid == "-1") return "";  // the holder is not known (another pid namespace)
    return "process " + pid + (name.empty() ? "" : " (" + name + ")");
  }
  return "";
}

std::optional<std::string> lock_exclusive(int fd, const std::string& path) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + lock_timeout();
  auto pause = std::chrono::microseconds(200);
  for (;;) {
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return std::nullopt;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return "cannot lock " + path + ": " + std::strerror(errno);
    if (clock::now() >= deadline) {
      std::string holder = lock_holder(fd);
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(lock_timeout()).count();
      return "gave up waiting for the lock on " + path + " after " + std::to_string(secs) +
             " s: it is held by " + (holder.empty() ? "another process" : holder) +
             " that does not let go; stop that process (or remove the lock file if no process "
             "uses the chip)";
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
  }
}

}  // namespace maxq::posix
