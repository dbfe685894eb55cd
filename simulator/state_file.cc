#include "simulator/state_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "posix/file_locking.h"
#include "simulator/state_codec.h"
#include "simulator/state_error.h"

namespace maxq::sim {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// Holds an exclusive flock for its lifetime; a lock nobody lets go of is an
// error naming the file and its holder (posix/file_locking.h), not a hang.
class FileLock {
 public:
  FileLock(int fd, const std::string& path) : fd_(fd) {
    if (auto error = posix::lock_exclusive(fd_, path + ".lock"))
      throw StateError("simulated chip " + path + ": " + *error);
  }
  ~FileLock() { flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Bytes read_all(int fd, const std::string& path) {
  struct stat st {};
  if (fstat(fd, &st) != 0) throw StateError("cannot stat " + path + ": " + errno_text());
  Bytes data(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = pread(fd, data.data() + done, data.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw StateError("cannot read the simulated chip " + path + ": " + errno_text());
    if (n == 0) break;  // shrank under us: the decoder reports it as truncated
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  return data;
}

// Refuses what a state, lock or counter file must not be: anything but a
// regular file (a FIFO would block the open), a file of another user, or one
// others may write (they could swap the chip's keys). `st` is of the open file.
void check_own_file(const struct stat& st, const std::string& path) {
  if (!S_ISREG(st.st_mode))
    throw StateError("the simulated chip file " + path +
                     " is not a regular file; refusing to use it");
  if (st.st_uid != geteuid())
    throw StateError("the simulated chip file " + path + " belongs to user " +
                     std::to_string(st.st_uid) + ", not to this user (" +
                     std::to_string(geteuid()) + "); refusing to use it");
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    throw StateError("the simulated chip file " + path +
                     " is writable by other users; refusing to use it (chmod go-w " + path + ")");
}

// Opens `path` never following a symlink and never blocking (FIFO), and
// checks it with check_own_file. StateError naming the file.
// With `missing_ok`, a file that does not exist gives an invalid descriptor.
posix::UniqueFd open_checked(const std::string& path, int flags, const char* what,
                             bool missing_ok = false) {
  posix::UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600));
  if (!fd.valid() && missing_ok && errno == ENOENT) return fd;
  if (!fd.valid()) {
    if (errno == ELOOP)
      throw StateError("the simulated chip file " + path +
                       " is a symbolic link; name the file itself (refusing symlinks keeps one "
                       "chip from becoming two)");
    throw StateError(std::string("cannot open ") + what + " " + path + ": " + errno_text());
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throw StateError("cannot stat " + path + ": " + errno_text());
  check_own_file(st, path);
  return fd;
}

// Writes `data` to a new temporary file beside `path` (mode 0600, made with
// O_EXCL by mkostemp: never someone else's file or a symlink) and flushes it
// to the disk. Returns its name.
std::string write_synced(const std::string& path, const Bytes& data) {
  std::string name = path + ".tmp.XXXXXX";
  posix::UniqueFd fd(mkostemp(name.data(), O_CLOEXEC));
  const std::string& tmp = name;
  if (!fd.valid())
    throw StateError("cannot write a temporary file beside " + path + ": " + errno_text());
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      unlink(tmp.c_str());
      throw StateError("cannot write " + tmp + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    throw StateError("cannot flush " + tmp + " to disk: " + std::strerror(e));
  }
  return tmp;
}

void sync_dir(const std::string& path) {
  posix::UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || fsync(dir.get()) != 0)
    throw StateError("cannot flush the directory of " + path + " to disk: " + errno_text());
}

// PATH.tmp.* files of writers that were killed before their rename. Only
// called under the lock: no live writer has a temporary then.
void remove_stale_temporaries(const std::string& path) {
  std::string dir = dir_of(path), prefix = base_of(path) + ".tmp.";
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) return;
  while (const dirent* e = readdir(d.get())) {
    if (std::strncmp(e->d_name, prefix.c_str(), prefix.size()) == 0)
      unlinkat(dirfd(d.get()), e->d_name, 0);
  }
}

// The lock file, registered so that a forked child never keeps it (a lock
// held at the fork would outlive the parent; posix/file_locking.h).
posix::UniqueFd open_lock(const std::string& path) {
  posix::UniqueFd fd = open_checked(path + ".lock", O_RDWR | O_CREAT, "the lock file");
  posix::fork_private_add(fd.get());
  return fd;
}

// Wipes an encoded state (it holds private scalars) when it goes away.
struct WipedBytes {
  Bytes b;
  ~WipedBytes() {
    if (!b.empty()) secure_zero(b.data(), b.size());
  }
};

}  // namespace

void make_parent_dirs(const std::string& path) {
  std::string dir = dir_of(path);
  for (size_t pos = 0; pos != std::string::npos;) {
    pos = dir.find('/', pos + 1);
    std::string partial = dir.substr(0, pos);
    if (partial.empty() || partial == ".") continue;
    if (mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      throw StateError("cannot create the directory " + partial + " for the simulated chip " +
                       path + ": " + errno_text());
  }
}

void StateFile::create(const std::string& path, const PersistentState& state, SimCrypto& crypto) {
  make_parent_dirs(path);
  posix::UniqueFd lock = open_lock(path);
  struct Unregister {
    int fd;
    ~Unregister() { posix::fork_private_remove(fd); }
  } unregister{lock.get()};
  FileLock guard(lock.get(), path);
  remove_stale_temporaries(path);
  WipedBytes data{encode_state(state, 1, crypto)};
  std::string tmp = write_synced(path, data.b);
  // link() fails when PATH exists: another chip's state is never replaced.
  if (link(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    if (e == EEXIST)
      throw StateError("a simulated chip already exists at " + path + "; it was left untouched");
    throw StateError("cannot create the simulated chip " + path + ": " + std::strerror(e));
  }
  unlink(tmp.c_str());
  sync_dir(path);
}

std::unique_ptr<StateFile> StateFile::open(const std::string& path, SimCrypto& crypto) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 && errno == ENOENT)
    throw StateError("no simulated chip at " + path +
                     "; create one with `maxq1061-tool init --device sim:" + path + "`");
  std::unique_ptr<StateFile> f(new StateFile(path, open_lock(path), crypto));
  FileLock guard(f->lock_fd_.get(), path);
  f->reload_if_changed();
  return f;
}

StateFile::StateFile(std::string path, posix::UniqueFd lock, SimCrypto& crypto)
    : path_(std::move(path)), lock_fd_(std::move(lock)), crypto_(crypto), pid_(getpid()) {}

StateFile::~StateFile() {
  posix::fork_private_remove(lock_fd_.get());
}

void StateFile::remember_file(const struct stat& st) {
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  size_ = st.st_size;
  ctime_ = st.st_ctim;
}

bool StateFile::same_file(const struct stat& st) const {
  return st.st_ino == ino_ && st.st_dev == dev_ && st.st_size == size_ &&
         st.st_ctim.tv_sec == ctime_.tv_sec && st.st_ctim.tv_nsec == ctime_.tv_nsec;
}

void StateFile::reload_if_changed() {
  struct stat st {};
  if (lstat(path_.c_str(), &st) != 0) {
    if (errno == ENOENT)
      throw StateError("the simulated chip state file " + path_ +
                       " has disappeared; restore it from a backup or provision a new chip with "
                       "`maxq1061-tool init --device sim:" +
                       path_ + "`");
    throw StateError("cannot stat the simulated chip " + path_ + ": " + errno_text());
  }
  // One stat per command: writers rename a new file into place, and holding
  // the loaded file open keeps its inode from being reused, so the same inode
  // means the same file; size and change time catch anything written into it
  // in place (damage, which must be reported, not overwritten).
  if (loaded_ && same_file(st)) return;
  loaded_ = false;
  if (S_ISLNK(st.st_mode))
    throw StateError("the simulated chip file " + path_ +
                     " is a symbolic link; name the file itself (refusing symlinks keeps one chip "
                     "from becoming two)");
  posix::UniqueFd fd = open_checked(path_, O_RDONLY, "the simulated chip", true);
  if (!fd.valid()) return reload_if_changed();  // replaced since the stat: try again
  if (fstat(fd.get(), &st) != 0) throw StateError("cannot stat " + path_ + ": " + errno_text());
  if (static_cast<uint64_t>(st.st_size) > kMaxStateFileBytes)
    throw StateError("the simulated chip file " + path_ + " is " + std::to_string(st.st_size) +
                     " bytes, more than any chip state (at most " +
                     std::to_string(kMaxStateFileBytes) +
                     "); it is not a chip's state: restore it from a backup");
  WipedBytes data{read_all(fd.get(), path_)};
  uint64_t generation = 0;
  state_ = decode_state(data.b, path_, generation, crypto_);
  generation_ = generation;
  remember_file(st);
  loaded_fd_ = std::move(fd);
  loaded_ = true;
}

void StateFile::save() {
  WipedBytes data{encode_state(state_, generation_ + 1, crypto_)};
  remove_stale_temporaries(path_);
  std::string tmp = write_synced(path_, data.b);
  if (rename(tmp.c_str(), path_.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    throw StateError("cannot replace the simulated chip " + path_ + ": " + std::strerror(e));
  }
  sync_dir(path_);
  // Under the lock no other writer can have replaced it since the rename.
  posix::UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  struct stat st {};
  if (!fd.valid() || fstat(fd.get(), &st) != 0)
    throw StateError("cannot reopen the simulated chip " + path_ + ": " + errno_text());
  ++generation_;
  remember_file(st);
  loaded_fd_ = std::move(fd);
}

void StateFile::transact(const std::function<bool(PersistentState&)>& fn) {
  if (getpid() != pid_) {
    // Forked child: the inherited lock descriptor was replaced by /dev/null
    // (posix/file_locking.h); this process takes the lock on its own description.
    posix::fork_private_remove(lock_fd_.get());
    lock_fd_ = open_lock(path_);
    pid_ = getpid();
  }
  FileLock guard(lock_fd_.get(), path_);
  reload_if_changed();
  try {
    if (fn(state_)) save();
  } catch (...) {
    loaded_ = false;  // memory may differ from the file now
    throw;
  }
}

}  // namespace maxq::sim
