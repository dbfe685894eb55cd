#include "simulator/state_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <cerrno>
#include <cstring>

#include "simulator/chip.h"
#include "simulator/sim_crypto.h"

namespace maxq::sim {
namespace {

constexpr char kMagic[] = "MAXQ1061-SIMSTATE";
constexpr size_t kMagicBytes = sizeof(kMagic) - 1;
constexpr uint16_t kVersion = 1;
constexpr size_t kHashBytes = 32;

std::string errno_text() { return std::strerror(errno); }

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw StateError("simulated chip state file " + path + " " + why +
                   ". The file was left untouched; restore it from a backup or provision a new "
                   "chip with `maxq1061-tool init --device sim:PATH`");
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_;
};

// Holds an exclusive flock for its lifetime.
class LockGuard {
 public:
  explicit LockGuard(int fd) : fd_(fd) {
    while (flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) throw StateError("cannot lock the simulated chip: " + errno_text());
    }
  }
  ~LockGuard() { flock(fd_, LOCK_UN); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  int fd_;
};

Bytes read_all(const std::string& path, struct stat* st) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT)
      throw StateError("no simulated chip at " + path + "; create one with `maxq1061-tool init --device sim:" +
                       path + "`");
    throw StateError("cannot open the simulated chip state file " + path + ": " + errno_text());
  }
  if (fstat(fd.get(), st) != 0) throw StateError("cannot stat " + path + ": " + errno_text());
  Bytes data(static_cast<size_t>(st->st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw StateError("cannot read " + path + ": " + errno_text());
    done += static_cast<size_t>(n);
  }
  return data;
}

void write_all(int fd, const Bytes& data, const std::string& path) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw StateError("cannot write " + path + ": " + errno_text());
    done += static_cast<size_t>(n);
  }
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Writes `data` to PATH atomically; `exclusive` refuses an existing PATH.
void atomic_write(const std::string& path, const Bytes& data, bool exclusive) {
  std::string tmp = path + ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) throw StateError("cannot write " + tmp + ": " + errno_text());
  write_all(fd.get(), data, tmp);
  if (fsync(fd.get()) != 0) throw StateError("cannot sync " + tmp + ": " + errno_text());
  if (exclusive) {
    // link() fails when PATH exists: never replace another chip's state.
    if (link(tmp.c_str(), path.c_str()) != 0) {
      int e = errno;
      unlink(tmp.c_str());
      errno = e;
      if (e == EEXIST) throw StateError("a simulated chip already exists at " + path + "; it was left untouched");
      throw StateError("cannot create " + path + ": " + errno_text());
    }
    unlink(tmp.c_str());
  } else if (rename(tmp.c_str(), path.c_str()) != 0) {
    throw StateError("cannot replace " + path + ": " + errno_text());
  }
  Fd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) fsync(dir.get());
}

int open_lock(const std::string& path) {
  std::string lock = path + ".lock";
  int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw StateError("cannot open the lock file " + lock + ": " + errno_text());
  return fd;
}

}  // namespace

Bytes StateFile::encode(const PersistentState& s, uint64_t generation) {
  PayloadWriter w;
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(kMagic), kMagicBytes));
  w.u16(kVersion);
  w.u32(static_cast<uint32_t>(generation >> 32)).u32(static_cast<uint32_t>(generation));
  w.bytes(s.serial).u8(static_cast<uint8_t>(s.lifecycle));
  w.u16(static_cast<uint16_t>(s.objects.size()));
  for (const auto& [id, o] : s.objects) {
    w.u16(o.id).u8(static_cast<uint8_t>(o.type)).u8(static_cast<uint8_t>(o.property));
    w.bytes(ByteView(o.rules, wire::kAccessRuleBytes)).u16(o.length);
    w.u8(o.curve ? static_cast<uint8_t>(*o.curve) : wire::kNoCurve);
    w.u16(static_cast<uint16_t>(o.public_xy.size())).bytes(o.public_xy);
    w.u16(static_cast<uint16_t>(o.private_scalar.size())).bytes(o.private_scalar.view());
    w.u16(static_cast<uint16_t>(o.data.size())).bytes(o.data);
  }
  Bytes out = w.take();
  Bytes hash = SimCrypto::instance().digest(wire::Algorithm::Sha256, out);
  out.insert(out.end(), hash.begin(), hash.end());
  return out;
}

PersistentState StateFile::decode(ByteView file, const std::string& path, uint64_t* generation) {
  if (file.size() < kMagicBytes + kHashBytes) refuse(path, "is truncated or empty");
  if (std::memcmp(file.data(), kMagic, kMagicBytes) != 0)
    refuse(path, "is not a MAXQ1061 simulator state file (bad magic)");
  ByteView body = file.subview(0, file.size() - kHashBytes);
  Bytes hash = SimCrypto::instance().digest(wire::Algorithm::Sha256, body);
  if (CRYPTO_memcmp(hash.data(), file.data() + body.size(), kHashBytes) != 0)
    refuse(path, "is corrupt or truncated (integrity check failed)");
  PersistentState s;
  try {
    PayloadReader r(body.subview(kMagicBytes), "state file " + path);
    uint16_t version = r.u16();
    if (version != kVersion)
      refuse(path, "has format version " + std::to_string(version) + ", this build reads version " +
                       std::to_string(kVersion));
    uint64_t gen = uint64_t{r.u32()} << 32;
    gen |= r.u32();
    if (generation) *generation = gen;
    ByteView serial = r.bytes(wire::kSerialBytes);
    std::copy(serial.begin(), serial.end(), s.serial.begin());
    uint8_t lc = r.u8();
    if (lc < 3 || lc > 6) refuse(path, "holds an invalid lifecycle state");
    s.lifecycle = static_cast<wire::Lifecycle>(lc);
    uint16_t count = r.u16();
    for (uint16_t i = 0; i < count; ++i) {
      Object o;
      o.id = r.u16();
      uint8_t type = r.u8(), prop = r.u8();
      if (type < 1 || type > 7 || prop != static_cast<uint8_t>(wire::ObjectProperty::Persistent))
        refuse(path, "holds an invalid object");
      o.type = static_cast<wire::ObjectType>(type);
      o.property = wire::ObjectProperty::Persistent;
      ByteView rules = r.bytes(wire::kAccessRuleBytes);
      std::copy(rules.begin(), rules.end(), o.rules);
      o.length = r.u16();
      uint8_t curve = r.u8();
      if (curve != wire::kNoCurve) {
        auto info = wire::curve_info(curve);
        if (!info) refuse(path, "holds an object on an unknown curve");
        o.curve = info->curve;
      }
      o.public_xy = r.bytes(r.u16()).to_bytes();
      o.private_scalar = SecretBytes(r.bytes(r.u16()));
      o.data = r.bytes(r.u16()).to_bytes();
      if (o.curve && o.public_xy.size() != 2 * wire::curve_info(curve)->field_bytes)
        refuse(path, "holds a key of the wrong size");
      uint16_t id = o.id;
      if (!s.objects.emplace(id, std::move(o)).second) refuse(path, "holds a duplicate object id");
    }
    r.expect_end();
  } catch (const MalformedPayload& e) {
    refuse(path, std::string("is malformed (") + e.what() + ")");
  }
  return s;
}

void StateFile::create(const std::string& path, const PersistentState& state) {
  std::string dir = dir_of(path);
  if (access(dir.c_str(), F_OK) != 0) {
    // Create missing parents (mode 0700): the state holds the chip's keys.
    std::string partial;
    for (size_t pos = 0; pos != std::string::npos;) {
      pos = dir.find('/', pos + 1);
      partial = dir.substr(0, pos);
      if (!partial.empty() && mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
        throw StateError("cannot create the directory " + partial + ": " + errno_text());
    }
  }
  Fd lock(open_lock(path));
  LockGuard guard(lock.get());
  atomic_write(path, encode(state, 1), true);
}

std::unique_ptr<StateFile> StateFile::open(const std::string& path) {
  struct stat st {};
  Bytes probe = read_all(path, &st);  // clear error for a missing file before creating a lock file
  (void)probe;
  Fd lock(open_lock(path));
  auto f = std::make_unique<StateFile>(path, lock.release());
  LockGuard guard(f->lock_fd_);
  f->reload_if_changed();
  return f;
}

StateFile::StateFile(std::string path, int lock_fd) : path_(std::move(path)), lock_fd_(lock_fd) {}

StateFile::~StateFile() { close(lock_fd_); }

void StateFile::reload_if_changed() {
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) {
    if (errno == ENOENT) throw StateError("the simulated chip state file " + path_ + " has disappeared");
    throw StateError("cannot stat " + path_ + ": " + errno_text());
  }
  if (st.st_ino == ino_ && st.st_size == size_ && st.st_mtim.tv_sec == mtime_.tv_sec &&
      st.st_mtim.tv_nsec == mtime_.tv_nsec)
    return;
  Bytes data = read_all(path_, &st);
  state_ = decode(data, path_, &generation_);
  ino_ = st.st_ino;
  size_ = st.st_size;
  mtime_ = st.st_mtim;
}

void StateFile::write(const PersistentState& state) {
  atomic_write(path_, encode(state, generation_ + 1), false);
  struct stat st {};
  if (stat(path_.c_str(), &st) == 0) {
    ino_ = st.st_ino;
    size_ = st.st_size;
    mtime_ = st.st_mtim;
  }
  ++generation_;
}

void StateFile::transact(const std::function<bool(PersistentState&)>& fn) {
  LockGuard guard(lock_fd_);
  reload_if_changed();
  try {
    if (fn(state_)) write(state_);
  } catch (...) {
    ino_ = 0;  // memory may differ from the file now: re-read before the next command
    throw;
  }
}

}  // namespace maxq::sim
