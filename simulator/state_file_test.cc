// Persistence: reopening, sessions and processes sharing one chip, atomic
// writes under SIGKILL, damaged files refused and left untouched, provisioning.
#include "simulator/state_file.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <set>

#include "simulator/sim_test_support.h"
#include "wire/object_layout.h"
#include "wire/status_layout.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Status;

namespace {

Bytes data_object(uint16_t id, uint16_t capacity) {
  return payload::create(id, wire::ObjectType::Data, wire::ObjectProperty::Persistent,
                         admin_managed_rules(), capacity);
}

std::set<uint16_t> object_ids(Host& h) {
  std::vector<uint16_t> ids = wire::decode_id_list(h.ok(Command::ListObjects, Bytes{0x01}));
  return std::set<uint16_t>(ids.begin(), ids.end());
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  while (const dirent* e = readdir(d.get()))
    if (e->d_name[0] != '.') out.push_back(e->d_name);
  std::sort(out.begin(), out.end());
  return out;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("a reopened chip holds its objects and keys", "[state]") {
  ProvisionedChip t;
  Bytes xy, sig, digest(32, 0x77);
  {
    Host h(t.open());
    REQUIRE(h.authenticate(t.admin_key) == 0);
    xy = h.make_key_pair(0x0101, wire::Curve::P256);
    h.ok(Command::CreateObject, data_object(0x0300, 16));
    h.ok(Command::WriteObject, payload::write(0x0300, 0, Bytes{1, 2, 3}));
  }
  Host h(t.open());
  CHECK(h.ok(Command::ReadObject, payload::read(0x0300, 0, 0)) == Bytes({1, 2, 3}));
  CHECK(h.ok(Command::ReadObject, payload::read(0x0101, 0, 0)) == xy);
  sig = h.ok(Command::SignVerify,
             payload::sign_verify(wire::kModeSign, wire::Algorithm::EcdsaDigest, 0x0101, digest));
  CHECK(RefCrypto().verify(wire::Curve::P256, xy, digest, sig));
  CHECK(h.chip().serial() == t.provisioned.serial);
}

TEST_CASE("sessions in one process see each other's changes at once", "[state]") {
  ProvisionedChip t;
  Host a(t.open()), b(t.open());
  REQUIRE(a.authenticate(t.admin_key) == 0);
  for (uint16_t id = 0x0300; id < 0x0310; ++id) {
    a.ok(Command::CreateObject, data_object(id, 8));
    CHECK(b.status(Command::ReadObject, payload::read(id, 0, 0)) == st(Status::ObjectEmpty));
    a.ok(Command::DeleteObject, payload::u16(id));
    CHECK(b.status(Command::ReadObject, payload::read(id, 0, 0)) == st(Status::NotFound));
  }
}

TEST_CASE("two processes see each other's objects", "[state]") {
  ProvisionedChip t;
  Host parent(t.open());
  REQUIRE(parent.authenticate(t.admin_key) == 0);
  parent.ok(Command::CreateObject, data_object(0x0300, 8));
  pid_t pid = fork();
  if (pid == 0) {
    int rc = 1;
    try {
      Host child(t.open());  // the child's own chip session on the same file
      bool sees_parent = object_ids(child).count(0x0300) == 1;
      if (child.authenticate(t.admin_key) == 0 &&
          child.status(Command::CreateObject, data_object(0x0301, 8)) == 0)
        rc = sees_parent ? 0 : 2;
    } catch (...) {
      rc = 3;
    }
    _exit(rc);
  }
  REQUIRE(pid > 0);
  CHECK(wait_for(pid) == 0);
  CHECK(object_ids(parent).count(0x0301) == 1);  // re-read after the child's write
  CHECK(parent.status(Command::DeleteObject, payload::u16(0x0301)) == 0);
}

TEST_CASE("a writer killed at any point leaves the old or the new state", "[state]") {
  ProvisionedChip t;
  std::mt19937 rng(20261125);
  Host keeper(t.open());
  REQUIRE(keeper.authenticate(t.admin_key) == 0);
  const std::set<uint16_t> initial = object_ids(keeper);
  // Kill times spread over about three writes, whatever this machine's disk costs.
  auto t0 = std::chrono::steady_clock::now();
  keeper.ok(Command::CreateObject, data_object(0x1F00, 1));
  keeper.ok(Command::DeleteObject, payload::u16(0x1F00));
  auto write_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count() /
      2;
  // Widened after a round that created nothing: a loaded machine (parallel
  // tests, sanitizers) can make the writer slower than this measurement.
  useconds_t span = static_cast<useconds_t>(std::max<long long>(1000, 3 * write_us));
  const std::string tmp_prefix = "chip.state.tmp.";
  std::set<uint16_t> before = initial;
  int progressed = 0, mid_write = 0;
  for (int round = 0; round < 120; ++round) {
    const uint16_t first = static_cast<uint16_t>(0x2000 + round * 0x80);
    int ready[2];
    REQUIRE(pipe(ready) == 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(ready[0]);
      try {
        Host writer(t.open());
        if (writer.authenticate(t.admin_key) == 0 && write(ready[1], "r", 1) == 1)
          for (uint16_t i = 0; i < 0x80; ++i)
            writer.ok(Command::CreateObject, data_object(static_cast<uint16_t>(first + i), 1));
      } catch (...) {
      }
      pause();  // wait for the kill
      _exit(0);
    }
    REQUIRE(pid > 0);
    close(ready[1]);
    char c = 0;
    bool started = read(ready[0], &c, 1) == 1;  // the writer is about to create
    close(ready[0]);
    usleep(std::uniform_int_distribution<useconds_t>(0, span)(rng));
    kill(pid, SIGKILL);
    REQUIRE(wait_for(pid) == 100 + SIGKILL);
    REQUIRE(started);
    for (const std::string& f : files_in(t.dir.path()))
      if (f.rfind(tmp_prefix, 0) == 0) ++mid_write;  // killed before its rename

    // The file opens, and holds the old objects plus the first k new ones.
    std::unique_ptr<Host> check;
    REQUIRE_NOTHROW(check = std::make_unique<Host>(t.open()));
    std::set<uint16_t> ids = object_ids(*check);
    std::set<uint16_t> expected = before;
    size_t created = ids.size() - std::min(ids.size(), before.size());
    for (uint16_t i = 0; i < created; ++i) expected.insert(static_cast<uint16_t>(first + i));
    REQUIRE(ids == expected);
    if (created > 0)
      ++progressed;
    else
      span = std::min<useconds_t>(span + span / 2, 2000000);
    before = ids;
    if (ids.size() > 300) {  // keep the chip from filling up
      for (uint16_t id : ids)
        if (!initial.count(id))
          REQUIRE(keeper.status(Command::DeleteObject, payload::u16(id)) == 0);
      before = initial;
    }
  }
  INFO("rounds with objects created: " << progressed << ", killed mid-write: " << mid_write);
  CHECK(progressed > 20);
  CHECK(mid_write > 0);
  // The next write removes the temporaries the killed writers left.
  keeper.ok(Command::CreateObject, data_object(0x1F00, 1));
  for (const std::string& f : files_in(t.dir.path())) CHECK(f.rfind(tmp_prefix, 0) != 0);
}

TEST_CASE("damaged state files are refused and left byte-identical", "[state]") {
  ProvisionedChip t;
  const Bytes good = read_file(t.state);
  const std::vector<std::string> files = files_in(t.dir.path());
  auto refused = [&](const Bytes& content, const char* why) {
    INFO(why);
    write_file(t.state, content);
    CHECK_THROWS_WITH(sim::Chip::open(t.state), Catch::Contains(t.state) && Catch::Contains(why) &&
                                                    Catch::Contains("left untouched") &&
                                                    Catch::Contains("maxq1061-tool init"));
    CHECK(read_file(t.state) == content);
    CHECK(files_in(t.dir.path()) == files);  // nothing new beside it either
  };
  refused(Bytes(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2)),
          "integrity check failed");
  refused(Bytes(good.begin(), good.begin() + 12), "is truncated");
  for (size_t pos : {size_t{20}, size_t{40}, good.size() / 2, good.size() - 3}) {
    Bytes flipped = good;
    flipped[pos] ^= 0x10;
    refused(flipped, "integrity check failed");
  }
  refused(Bytes(), "is empty");
  refused(Bytes(500, 'x'), "bad magic");
  write_file(t.state, good);
  CHECK_NOTHROW(sim::Chip::open(t.state));
}

TEST_CASE("a missing chip says how to create one", "[state]") {
  TempDir dir;
  std::string path = dir.file("none.state");
  CHECK_THROWS_WITH(sim::Chip::open(path),
                    Catch::Contains("no simulated chip at " + path) &&
                        Catch::Contains("maxq1061-tool init --device sim:" + path));
  CHECK(files_in(dir.path()).empty());
}

TEST_CASE("provisioning creates a usable chip and never overwrites", "[state]") {
  TempDir dir;
  std::string state = dir.file("a/b/chip.state"), key = state + ".admin.pem";
  std::string import_key = dir.file("import.pem");
  sim::ProvisionResult p = sim::Chip::provision(state, key, import_key);
  struct stat info {};
  REQUIRE(stat(dir.file("a").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  for (const std::string& k : {key, import_key}) {
    REQUIRE(stat(k.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
  }
  CHECK(p.admin_key_path == key);
  CHECK(p.key_import_key_path == import_key);
  CHECK(read_file(key) != read_file(import_key));  // two distinct keys

  Host h(sim::Chip::open(state));
  CHECK(h.chip().serial() == p.serial);
  CHECK(object_ids(h) == std::set<uint16_t>{wire::kKeyImportKeyId, wire::kAdminKeyId});
  CHECK(wire::decode_status(h.ok(Command::GetStatus)).lifecycle ==
        static_cast<uint8_t>(wire::Lifecycle::Operational));
  CHECK(h.authenticate(key) == 0);  // the written key is the one in 0x1001
  CHECK(h.authenticate(import_key) == st(Status::BadSignature));
  // The key-import key is the one in 0x1000: it signs a generation.
  h.ok(Command::CreateObject, payload::create(0x0101, wire::ObjectType::KeyPair,
                                              wire::ObjectProperty::Temporary, open_rules(), 96));
  Bytes body = payload::descriptor(wire::Curve::P256);
  RefCrypto ref;
  CHECK(h.status(Command::ImportKey,
                 payload::signed_import(0x0101, body, ref.sign_sha256(import_key, body))) == 0);
  CHECK(h.status(Command::ImportKey,
                 payload::signed_import(0x0101, body, ref.sign_sha256(key, body))) ==
        st(Status::BadSignature));

  const Bytes before = read_file(state), key_before = read_file(key);
  CHECK_THROWS_WITH(sim::Chip::provision(state, dir.file("other.pem")),
                    Catch::Contains("already exists") && Catch::Contains(state));
  CHECK_THROWS_WITH(sim::Chip::provision(dir.file("new.state"), key),
                    Catch::Contains("already exists") && Catch::Contains(key));
  CHECK_THROWS_WITH(sim::Chip::provision(dir.file("new.state"), dir.file("new.pem"), import_key),
                    Catch::Contains("already exists") && Catch::Contains(import_key));
  CHECK_THROWS_WITH(
      sim::Chip::provision(dir.file("new.state"), dir.file("new.pem"), dir.file("new.pem")),
      Catch::Contains("different files"));
  CHECK(read_file(state) == before);
  CHECK(read_file(key) == key_before);
  CHECK(access(dir.file("other.pem").c_str(), F_OK) != 0);
  CHECK(access(dir.file("new.state").c_str(), F_OK) != 0);
  CHECK(access(dir.file("new.pem").c_str(), F_OK) != 0);
  // Without a key-import path, the key goes beside the state file.
  sim::ProvisionResult c = sim::Chip::provision(dir.file("c.state"), dir.file("c.pem"));
  CHECK(c.key_import_key_path == dir.file("c.state") + ".key-import.pem");
  CHECK(access(c.key_import_key_path.c_str(), F_OK) == 0);
  // Every chip gets its own serial.
  CHECK(c.serial != p.serial);
}

TEST_CASE("temporaries left by killed writers are removed by the next write", "[state]") {
  ProvisionedChip t;
  write_file(t.state + ".tmp.99999", Bytes(10, 1));
  Host h(t.open());
  CHECK(access((t.state + ".tmp.99999").c_str(), F_OK) == 0);  // reads leave it alone
  REQUIRE(h.authenticate(t.admin_key) == 0);
  h.ok(Command::CreateObject, data_object(0x0300, 4));
  CHECK(access((t.state + ".tmp.99999").c_str(), F_OK) != 0);
}
