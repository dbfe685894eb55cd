#include "simulator/counters.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace maxq::sim {

// Layout of the counter file; std::atomic<uint64_t> is lock-free on every
// target we build for, so it works across processes in shared memory.
struct Counters::Block {
  char magic[8];
  uint64_t version;
  std::atomic<uint64_t> commands[256];
  std::atomic<uint64_t> bytes_to_chip;
  std::atomic<uint64_t> bytes_from_chip;
  std::atomic<uint64_t> frame_errors;
  std::atomic<uint64_t> selects;
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);

namespace {
constexpr char kMagic[8] = {'M', 'Q', 'C', 'N', 'T', 'R', 'S', '1'};
constexpr uint64_t kVersion = 1;
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

Counters::Counters(Block* block, size_t mapped_size, std::unique_ptr<Block> owned)
    : block_(block), mapped_size_(mapped_size), owned_(std::move(owned)) {}

Counters::~Counters() {
  if (mapped_size_) munmap(block_, mapped_size_);
}

std::unique_ptr<Counters> Counters::in_memory() {
  auto owned = std::make_unique<Block>();
  std::memcpy(owned->magic, kMagic, sizeof kMagic);
  owned->version = kVersion;
  Block* b = owned.get();
  return std::unique_ptr<Counters>(new Counters(b, 0, std::move(owned)));
}

std::unique_ptr<Counters> Counters::open_shared(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return in_memory();
  struct stat st {};
  bool fresh = fstat(fd, &st) == 0 && st.st_size == 0;
  if (fresh && ftruncate(fd, sizeof(Block)) != 0) {
    close(fd);
    return in_memory();
  }
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) != sizeof(Block)) {
    close(fd);
    return in_memory();  // foreign or old file: count in memory, never clobber it
  }
  void* p = mmap(nullptr, sizeof(Block), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return in_memory();
  auto* b = static_cast<Block*>(p);
  if (fresh || std::memcmp(b->magic, kMagic, sizeof kMagic) != 0) {
    if (!fresh && b->version != 0) {  // foreign content
      munmap(p, sizeof(Block));
      return in_memory();
    }
    b->version = kVersion;
    std::memcpy(b->magic, kMagic, sizeof kMagic);
  }
  return std::unique_ptr<Counters>(new Counters(b, sizeof(Block), nullptr));
}

CounterSnapshot Counters::read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw std::runtime_error("cannot open chip counters " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) != sizeof(Block)) {
    close(fd);
    throw std::runtime_error(path + " is not a chip counter file");
  }
  void* p = mmap(nullptr, sizeof(Block), PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) throw std::runtime_error("cannot map " + path);
  Counters view(static_cast<Block*>(p), sizeof(Block), nullptr);
  if (std::memcmp(view.block_->magic, kMagic, sizeof kMagic) != 0)
    throw std::runtime_error(path + " is not a chip counter file");
  return view.snapshot();
}

void Counters::add_command(uint8_t code) {
  block_->commands[code].fetch_add(1, std::memory_order_relaxed);
}
void Counters::add_bytes(uint64_t to_chip, uint64_t from_chip) {
  block_->bytes_to_chip.fetch_add(to_chip, std::memory_order_relaxed);
  block_->bytes_from_chip.fetch_add(from_chip, std::memory_order_relaxed);
}
void Counters::add_frame_error() {
  block_->frame_errors.fetch_add(1, std::memory_order_relaxed);
}
void Counters::add_select() {
  block_->selects.fetch_add(1, std::memory_order_relaxed);
}

CounterSnapshot Counters::snapshot() const {
  CounterSnapshot s;
  for (size_t i = 0; i < 256; ++i)
    s.commands[i] = block_->commands[i].load(std::memory_order_relaxed);
  s.bytes_to_chip = block_->bytes_to_chip.load(std::memory_order_relaxed);
  s.bytes_from_chip = block_->bytes_from_chip.load(std::memory_order_relaxed);
  s.frame_errors = block_->frame_errors.load(std::memory_order_relaxed);
  s.selects = block_->selects.load(std::memory_order_relaxed);
  return s;
}

}  // namespace maxq::sim
