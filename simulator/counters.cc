#include "simulator/counters.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "posix/unique_fd.h"

namespace maxq::sim {

// Counts in process memory: updated from any thread without a lock.
struct Counters::Block {
  std::atomic<uint64_t> commands[256];
  std::atomic<uint64_t> bytes_to_chip;
  std::atomic<uint64_t> bytes_from_chip;
  std::atomic<uint64_t> frame_errors;
  std::atomic<uint64_t> selects;
};

namespace {

constexpr char kMagic[8] = {'M', 'Q', 'C', 'N', 'T', 'R', 'S', '1'};
constexpr uint64_t kVersion = 1;

// Layout of the counter file (native byte order, as before: one machine).
struct FileBlock {
  char magic[8];
  uint64_t version;
  uint64_t commands[256];
  uint64_t bytes_to_chip;
  uint64_t bytes_from_chip;
  uint64_t frame_errors;
  uint64_t selects;
};

// Reads the whole block at offset 0; false when the file is shorter or not ours.
bool read_block(int fd, FileBlock& b) {
  size_t done = 0;
  auto* p = reinterpret_cast<char*>(&b);
  while (done < sizeof b) {
    ssize_t n = pread(fd, p + done, sizeof b - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return std::memcmp(b.magic, kMagic, sizeof kMagic) == 0 && b.version == kVersion;
}

bool write_block(int fd, const FileBlock& b) {
  size_t done = 0;
  const auto* p = reinterpret_cast<const char*>(&b);
  while (done < sizeof b) {
    ssize_t n = pwrite(fd, p + done, sizeof b - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// An exclusive lock on the file for one read-modify-write. Open file
// description locks: they exclude other descriptors in this process (other
// threads, other Counters) as well as other processes, and go with the close.
bool lock_file(int fd) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  while (fcntl(fd, F_OFD_SETLKW, &fl) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

posix::UniqueFd open_counter_file(const std::string& path, int flags) {
  return posix::UniqueFd(::open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600));
}

bool regular(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

CounterSnapshot snapshot_of(const FileBlock& b) {
  CounterSnapshot s;
  for (size_t i = 0; i < 256; ++i) s.commands[i] = b.commands[i];
  s.bytes_to_chip = b.bytes_to_chip;
  s.bytes_from_chip = b.bytes_from_chip;
  s.frame_errors = b.frame_errors;
  s.selects = b.selects;
  return s;
}

CounterSnapshot snapshot_of(const Counters::Block& b) {
  CounterSnapshot s;
  for (size_t i = 0; i < 256; ++i) s.commands[i] = b.commands[i].load(std::memory_order_relaxed);
  s.bytes_to_chip = b.bytes_to_chip.load(std::memory_order_relaxed);
  s.bytes_from_chip = b.bytes_from_chip.load(std::memory_order_relaxed);
  s.frame_errors = b.frame_errors.load(std::memory_order_relaxed);
  s.selects = b.selects.load(std::memory_order_relaxed);
  return s;
}

// Moves the counts out of `b` (zeroing it) into a snapshot.
CounterSnapshot take(Counters::Block& b) {
  CounterSnapshot s;
  for (size_t i = 0; i < 256; ++i) s.commands[i] = b.commands[i].exchange(0);
  s.bytes_to_chip = b.bytes_to_chip.exchange(0);
  s.bytes_from_chip = b.bytes_from_chip.exchange(0);
  s.frame_errors = b.frame_errors.exchange(0);
  s.selects = b.selects.exchange(0);
  return s;
}

void zero(Counters::Block& b) {
  (void)take(b);
}

}  // namespace

uint64_t CounterSnapshot::total_commands() const {
  uint64_t n = 0;
  for (uint64_t c : commands) n += c;
  return n;
}

CounterSnapshot CounterSnapshot::operator-(const CounterSnapshot& e) const {
  CounterSnapshot d;
  for (size_t i = 0; i < commands.size(); ++i) d.commands[i] = commands[i] - e.commands[i];
  d.bytes_to_chip = bytes_to_chip - e.bytes_to_chip;
  d.bytes_from_chip = bytes_from_chip - e.bytes_from_chip;
  d.frame_errors = frame_errors - e.frame_errors;
  d.selects = selects - e.selects;
  return d;
}

Counters::Counters(std::string path)
    : path_(std::move(path)),
      pending_(std::make_unique<Block>()),
      totals_(std::make_unique<Block>()),
      pid_(static_cast<int>(getpid())),
      file_ok_(!path_.empty()) {
  zero(*pending_);
  zero(*totals_);
}

Counters::~Counters() {
  flush();
}

std::unique_ptr<Counters> Counters::in_memory() {
  return std::unique_ptr<Counters>(new Counters(std::string()));
}

std::unique_ptr<Counters> Counters::open_shared(const std::string& path) {
  posix::UniqueFd fd = open_counter_file(path, O_RDWR | O_CREAT);
  if (!fd.valid() || !regular(fd.get()) || !lock_file(fd.get())) return in_memory();
  FileBlock b{};
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return in_memory();
  if (st.st_size == 0) {  // fresh
    std::memcpy(b.magic, kMagic, sizeof kMagic);
    b.version = kVersion;
    if (!write_block(fd.get(), b)) return in_memory();
  } else if (!read_block(fd.get(), b)) {
    return in_memory();  // foreign or old file: count in memory, never clobber it
  }
  return std::unique_ptr<Counters>(new Counters(path));
}

CounterSnapshot Counters::read_file(const std::string& path) {
  posix::UniqueFd fd = open_counter_file(path, O_RDONLY);
  if (!fd.valid())
    throw std::runtime_error("cannot open chip counters " + path + ": " + std::strerror(errno));
  FileBlock b{};
  if (!regular(fd.get()) || !read_block(fd.get(), b))
    throw std::runtime_error(path + " is not a chip counter file");
  return snapshot_of(b);
}

void Counters::add_command(uint8_t code) {
  worth_flushing_.store(true, std::memory_order_relaxed);
  pending_->commands[code].fetch_add(1, std::memory_order_relaxed);
  totals_->commands[code].fetch_add(1, std::memory_order_relaxed);
}
void Counters::add_bytes(uint64_t to_chip, uint64_t from_chip) {
  pending_->bytes_to_chip.fetch_add(to_chip, std::memory_order_relaxed);
  pending_->bytes_from_chip.fetch_add(from_chip, std::memory_order_relaxed);
  totals_->bytes_to_chip.fetch_add(to_chip, std::memory_order_relaxed);
  totals_->bytes_from_chip.fetch_add(from_chip, std::memory_order_relaxed);
}
void Counters::add_frame_error() {
  worth_flushing_.store(true, std::memory_order_relaxed);
  pending_->frame_errors.fetch_add(1, std::memory_order_relaxed);
  totals_->frame_errors.fetch_add(1, std::memory_order_relaxed);
}
void Counters::add_select() {
  pending_->selects.fetch_add(1, std::memory_order_relaxed);
  totals_->selects.fetch_add(1, std::memory_order_relaxed);
}

void Counters::flush() {
  if (path_.empty()) return;
  if (static_cast<int>(getpid()) != pid_) {
    // Forked child: the parent adds what it counted; the child starts afresh.
    pid_ = static_cast<int>(getpid());
    zero(*pending_);
    zero(*totals_);
  }
  if (!file_ok_) return;
  CounterSnapshot add = take(*pending_);
  if (add.total_commands() == 0 && add.bytes_to_chip == 0 && add.bytes_from_chip == 0 &&
      add.frame_errors == 0 && add.selects == 0)
    return;
  posix::UniqueFd fd = open_counter_file(path_, O_RDWR);
  FileBlock b{};
  // Removed, replaced by something else, truncated or damaged: stop writing
  // to it (snapshot() answers from memory), never crash.
  if (!fd.valid() || !regular(fd.get()) || !lock_file(fd.get()) || !read_block(fd.get(), b)) {
    file_ok_ = false;
    return;
  }
  for (size_t i = 0; i < 256; ++i) b.commands[i] += add.commands[i];
  b.bytes_to_chip += add.bytes_to_chip;
  b.bytes_from_chip += add.bytes_from_chip;
  b.frame_errors += add.frame_errors;
  b.selects += add.selects;
  if (!write_block(fd.get(), b)) file_ok_ = false;
}

void Counters::flush_after_window() {
  if (worth_flushing_.exchange(false, std::memory_order_relaxed)) flush();
}

CounterSnapshot Counters::snapshot() {
  flush();
  if (file_ok_) {
    try {
      return read_file(path_);
    } catch (const std::runtime_error&) {
      file_ok_ = false;
    }
  }
  return snapshot_of(*totals_);
}

}  // namespace maxq::sim
