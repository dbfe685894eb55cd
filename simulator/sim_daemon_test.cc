// The maxq1061-sim executable, run as a child process and spoken to with raw
// socket messages: serving, clean stop, several clients, hostile traffic.
#include "simulator/sim_daemon.h"

#include <poll.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <optional>
#include <random>

#include "simulator/sim_daemon_test_support.h"
#include "simulator/spi_socket_protocol.h"

using namespace maxq;
namespace ss = sim::spi_socket;
using sim::testing::DaemonProcess;
using sim::testing::ScratchChip;

namespace {

const Bytes kPingFrame = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};
const Bytes kPingAnswer = {0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32};

struct Reply {
  uint8_t status;
  Bytes body;
};

class RawClient {
 public:
  explicit RawClient(const std::string& socket) : fd_(sim::testing::connect_unix(socket)) {
    if (fd_ < 0) throw std::runtime_error("cannot connect to " + socket);
  }
  ~RawClient() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool send(const Bytes& b) {
    return ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size());
  }
  // nullopt when the daemon closed the connection.
  std::optional<Reply> receive() {
    Bytes head(ss::kHeaderBytes);
    if (!read_exact(head)) return std::nullopt;
    std::string error;
    auto h = ss::parse_reply_header(head, error);
    if (!h) throw std::runtime_error("bad reply header: " + error);
    Reply r{h->type_or_status, Bytes(h->body_length)};
    if (!r.body.empty() && !read_exact(r.body)) return std::nullopt;
    return r;
  }
  // True when the daemon closes this connection within a few seconds.
  bool closed_by_daemon() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    uint8_t b;
    ssize_t r = ::recv(fd_, &b, 1, 0);
    // Closing with unread input resets a unix socket instead of ending it.
    return r == 0 || (r < 0 && errno == ECONNRESET);
  }

 private:
  bool read_exact(Bytes& out) {
    size_t got = 0;
    while (got < out.size()) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) throw std::runtime_error("no reply from the daemon");
      ssize_t r = ::recv(fd_, out.data() + got, out.size() - got, 0);
      if (r <= 0) return false;
      got += static_cast<size_t>(r);
    }
    return true;
  }
  int fd_;
};

Bytes ping_request(bool with_select = true) {
  std::vector<ss::Op> ops;
  ops.push_back({ss::Op::Kind::Deselect, {}});
  if (with_select) ops.push_back({ss::Op::Kind::Select, {}});
  Bytes tx = kPingFrame;
  tx.insert(tx.end(), 11, 0xCC);
  ops.push_back({ss::Op::Kind::Transfer, tx});
  return ss::encode_request(ops);
}

// A full ping on its own connection; true when the published answer comes back.
bool ping_ok(RawClient& c) {
  if (!c.send(ping_request())) return false;
  auto r = c.receive();
  return r && r->status == 0 && r->body.size() == 22 &&
         Bytes(r->body.begin() + 11, r->body.end()) == kPingAnswer;
}

bool exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

}  // namespace

TEST_CASE("the daemon serves the chip and stops cleanly on SIGTERM", "[daemon]") {
  ScratchChip chip;
  std::string sock = chip.file("sim.sock");
  auto d = DaemonProcess::serve(chip.state, sock);
  CHECK(exists(sim::SimDaemon::lock_path_for(sock)));
  {
    RawClient c(sock);
    CHECK(ping_ok(c));
    CHECK(ping_ok(c));  // the same connection serves the next command
  }
  CHECK(d->terminate() == 0);
  CHECK_FALSE(exists(sock));
  CHECK_FALSE(exists(sim::SimDaemon::lock_path_for(sock)));
  CHECK(d->stdout_text().empty());  // logs go to stderr only
  CHECK(d->stderr_text().find("serving the simulated chip " + chip.state) != std::string::npos);
  CHECK(d->stderr_text().find("stopped") != std::string::npos);
  CHECK(sim::Counters::read_file(chip.state + ".counters").count(0xF7) == 2);
}

TEST_CASE("malformed traffic disconnects the sender and nothing else", "[daemon]") {
  ScratchChip chip;
  std::string sock = chip.file("sim.sock");
  auto d = DaemonProcess::serve(chip.state, sock);
  RawClient good(sock);
  REQUIRE(ping_ok(good));
  // A client that sends half a message and then waits must not hold anyone up.
  RawClient stalled(sock);
  Bytes half = ping_request();
  half.resize(half.size() / 2);
  REQUIRE(stalled.send(half));

  auto hostile = [&](const Bytes& b) {
    RawClient c(sock);
    c.send(b);
    return c.closed_by_daemon();
  };
  SECTION("garbage") {
    CHECK(hostile(Bytes{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'}));
  }
  SECTION("a huge length") {
    CHECK(hostile(Bytes{'M', 'Q', 1, 1, 0xFF, 0xFF, 0xFF, 0xFF}));
  }
  SECTION("a transfer count past the message") {
    CHECK(hostile(Bytes{'M', 'Q', 1, 1, 0, 0, 0, 6, 0x03, 0x7F, 0xFF, 0xFF, 0xFF, 0xCC}));
  }
  SECTION("an unknown operation") {
    CHECK(hostile(Bytes{'M', 'Q', 1, 1, 0, 0, 0, 1, 0x09}));
  }
  SECTION("another protocol version") {
    CHECK(hostile(Bytes{'M', 'Q', 9, 1, 0, 0, 0, 0}));
  }
  SECTION("truncated messages and abrupt closes") {
    for (size_t cut : {1, 5, 8, 12, 20}) {
      RawClient c(sock);
      Bytes m = ping_request();
      m.resize(cut);
      c.send(m);
    }
    RawClient gone(sock);
    gone.send(ping_request());  // and leaves before the reply: no SIGPIPE in the daemon
  }
  SECTION("seeded random traffic") {
    std::mt19937 rng(4061);
    for (int i = 0; i < 200; ++i) {
      Bytes b(1 + rng() % 64);
      for (auto& x : b) x = static_cast<uint8_t>(rng());
      if (i % 2) {  // a valid header in front of random operations
        Bytes h = {'M', 'Q', 1, 1, 0, 0, 0, static_cast<uint8_t>(b.size())};
        b.insert(b.begin(), h.begin(), h.end());
      }
      RawClient c(sock);
      c.send(b);
    }
  }
  // The daemon is alive and serves both the old and a new well-behaved client.
  CHECK(ping_ok(good));
  RawClient fresh(sock);
  CHECK(ping_ok(fresh));
  CHECK(d->running());
  CHECK(d->terminate() == 0);
}

TEST_CASE("clients take turns on the chip, one chip-select window at a time", "[daemon]") {
  ScratchChip chip;
  std::string sock = chip.file("sim.sock");
  auto d = DaemonProcess::serve(chip.state, sock);
  RawClient a(sock), b(sock);
  // A sends its frame but has not polled for the answer yet.
  REQUIRE(a.send(
      ss::encode_request({{ss::Op::Kind::Select, {}}, {ss::Op::Kind::Transfer, kPingFrame}})));
  REQUIRE(a.receive());
  // B starts a command of its own: the daemon ends A's window first.
  CHECK(ping_ok(b));
  // A continuing its old window is refused with a reason, not fed B's bytes.
  REQUIRE(a.send(ss::encode_request({{ss::Op::Kind::Transfer, Bytes(11, 0xCC)}})));
  auto r = a.receive();
  REQUIRE(r);
  CHECK(r->status == 1);
  CHECK(std::string(r->body.begin(), r->body.end()).find("window") != std::string::npos);
  // A's next command works.
  CHECK(ping_ok(a));
  // A client that leaves in the middle of a command leaves nothing behind.
  {
    RawClient c(sock);
    Bytes half_frame(kPingFrame.begin(), kPingFrame.begin() + 6);
    c.send(ss::encode_request({{ss::Op::Kind::Select, {}}, {ss::Op::Kind::Transfer, half_frame}}));
    c.receive();
  }
  CHECK(ping_ok(b));
}

TEST_CASE("a client may spread a command over several windows, as the SDK's hosts do", "[daemon]") {
  ScratchChip chip;
  std::string sock = chip.file("sim.sock");
  auto d = DaemonProcess::serve(chip.state, sock);
  RawClient a(sock), b(sock);
  auto window = [](const Bytes& tx) {
    return ss::encode_request(
        {{ss::Op::Kind::Select, {}}, {ss::Op::Kind::Transfer, tx}, {ss::Op::Kind::Deselect, {}}});
  };
  auto sdk_ping = [&](RawClient& c) {
    REQUIRE(c.send(window(kPingFrame)));
    REQUIRE(c.receive());
    REQUIRE(c.send(window(Bytes{0xCC})));
    auto sync = c.receive();
    REQUIRE(sync);
    CHECK(sync->body == Bytes{0x55});
    REQUIRE(c.send(window(Bytes(4, 0x00))));
    auto header = c.receive();
    REQUIRE(c.send(window(Bytes(6, 0x00))));
    auto rest = c.receive();
    REQUIRE((header && rest));
    Bytes answer{0x55};
    answer.insert(answer.end(), header->body.begin(), header->body.end());
    answer.insert(answer.end(), rest->body.begin(), rest->body.end());
    return answer;
  };
  CHECK(sdk_ping(a) == kPingAnswer);
  CHECK(sdk_ping(b) == kPingAnswer);
  // Another client's command between A's frame and A's polls ends A's
  // command: A's poll window is refused with the reason, not fed B's answer.
  REQUIRE(a.send(window(kPingFrame)));
  REQUIRE(a.receive());
  CHECK(ping_ok(b));
  REQUIRE(a.send(window(Bytes{0xCC})));
  auto r = a.receive();
  REQUIRE(r);
  CHECK(r->status == 1);
  CHECK(std::string(r->body.begin(), r->body.end()).find("another client") != std::string::npos);
  CHECK(sdk_ping(a) == kPingAnswer);  // a new command works
  CHECK(d->terminate() == 0);
}

TEST_CASE("the daemon refuses a live socket and replaces a stale one", "[daemon]") {
  ScratchChip chip;
  std::string sock = chip.file("sim.sock");
  auto first = DaemonProcess::serve(chip.state, sock);
  DaemonProcess second({"--state", chip.state, "--socket", sock}, chip.file("second"));
  CHECK(second.wait_exit() == 1);
  CHECK(second.stderr_text().find("already serves") != std::string::npos);
  first->kill9();
  REQUIRE(exists(sock));  // left behind by SIGKILL
  auto third = DaemonProcess::serve(chip.state, sock);
  RawClient c(sock);
  CHECK(ping_ok(c));
}

TEST_CASE("the daemon's command line", "[daemon]") {
  ScratchChip chip;
  SECTION("usage errors exit 2") {
    DaemonProcess d({"--state", chip.state}, chip.file("usage"));
    CHECK(d.wait_exit() == 2);
    CHECK(d.stderr_text().find("usage: maxq1061-sim") != std::string::npos);
    DaemonProcess e({"--frobnicate"}, chip.file("unknown"));
    CHECK(e.wait_exit() == 2);
  }
  SECTION("a missing state file exits 1 and names it") {
    std::string missing = chip.file("missing.state");
    DaemonProcess d({"--state", missing, "--socket", chip.file("s.sock")}, chip.file("missing"));
    CHECK(d.wait_exit() == 1);
    CHECK(d.stderr_text().find(missing) != std::string::npos);
  }
  SECTION("a path that is not a socket is left alone") {
    std::string file = chip.file("not-a-socket");
    std::ofstream(file) << "keep me";
    DaemonProcess d({"--state", chip.state, "--socket", file}, chip.file("notsock"));
    CHECK(d.wait_exit() == 1);
    CHECK(d.stderr_text().find("not a socket") != std::string::npos);
    CHECK(sim::testing::read_text(file) == "keep me");
  }
  SECTION("bad latency options exit 2") {
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--latency", "fast"},
          {"--latency"},
          {"--spi-clock-hz", "1000000"},  // without --latency modelled
          {"--latency", "modelled", "--spi-clock-hz", "0"},
          {"--latency", "modelled", "--spi-clock-hz", "40000000"},
          {"--latency", "modelled", "--spi-clock-hz", "1e6"},
          {"--chip-ms", "sign=5"},  // without --latency modelled
          {"--latency", "modelled", "--chip-ms", "sgn=5"},
          {"--latency", "modelled", "--chip-ms"},
          {"--latency", "modelled", "--chip-ms", ""}}) {
      std::vector<std::string> all{"--state", chip.state, "--socket", chip.file("l.sock")};
      all.insert(all.end(), args.begin(), args.end());
      DaemonProcess d(all, chip.file("latency-usage"));
      CHECK(d.wait_exit() == 2);
    }
    // Every run appended its stderr to the one file.
    std::string err = sim::testing::read_text(chip.file("latency-usage.err"));
    for (const char* why : {"--latency must be", "--chip-ms only goes with --latency modelled",
                            "--chip-ms: unknown chip time 'sgn'", "--chip-ms needs a list",
                            "--chip-ms: no chip times given"})
      CHECK(err.find(why) != std::string::npos);
  }
  SECTION("--provision creates the chip on first use") {
    std::string fresh = chip.file("fresh.state");
    std::string sock = chip.file("fresh.sock");
    auto d = DaemonProcess::serve(fresh, sock, {"--provision"});
    CHECK(exists(fresh));
    CHECK(exists(fresh + ".admin.pem"));
    RawClient c(sock);
    CHECK(ping_ok(c));
    CHECK(d->terminate() == 0);
  }
}

TEST_CASE("the daemon with --latency modelled slows the chip behind the socket",
          "[daemon][latency]") {
  ScratchChip chip;
  std::string sock = chip.file("slow.sock");
  auto d = DaemonProcess::serve(
      chip.state, sock,
      {"--latency", "modelled", "--spi-clock-hz", "8000000", "--chip-ms", "other=0.5"});
  CHECK(d->stderr_text().find("latency modelled, SPI clock 8000000 Hz, chip times other=0.5") !=
        std::string::npos);
  RawClient c(sock);
  // A ping and polls in one transfer: --chip-ms says 0.5 ms of chip time (the
  // model's 0.3 replaced), 500 bytes at 8 MHz (1 us each), so at least 500
  // idle bytes follow the frame (a host that paused between batches could see
  // the answer sooner). More batches in case this one ended before the answer.
  std::vector<ss::Op> ops{{ss::Op::Kind::Deselect, {}}, {ss::Op::Kind::Select, {}}};
  Bytes tx = kPingFrame;
  tx.insert(tx.end(), 2000, 0xCC);
  ops.push_back({ss::Op::Kind::Transfer, tx});
  REQUIRE(c.send(ss::encode_request(ops)));
  auto r = c.receive();
  REQUIRE((r && r->status == 0));
  Bytes miso(r->body.begin() + static_cast<std::ptrdiff_t>(kPingFrame.size()), r->body.end());
  for (int batch = 0; batch < 1000; ++batch) {
    auto sync = std::find(miso.begin(), miso.end(), wire::kResponseSync);
    if (sync != miso.end() && miso.end() - sync >= static_cast<std::ptrdiff_t>(kPingAnswer.size()))
      break;
    REQUIRE(c.send(ss::encode_request({{ss::Op::Kind::Transfer, Bytes(256, 0xCC)}})));
    r = c.receive();
    REQUIRE((r && r->status == 0));
    miso.insert(miso.end(), r->body.begin(), r->body.end());
  }
  auto sync = std::find(miso.begin(), miso.end(), wire::kResponseSync);
  REQUIRE(miso.end() - sync >= static_cast<std::ptrdiff_t>(kPingAnswer.size()));
  // Busy for at least the modelled chip time (a lower bound by construction).
  CHECK(sync - miso.begin() >= 500);
  CHECK(Bytes(sync, sync + static_cast<std::ptrdiff_t>(kPingAnswer.size())) == kPingAnswer);
  CHECK(d->terminate() == 0);
}
