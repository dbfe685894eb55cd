// The unix link against a real `maxq1061-sim` child process: commands, a daemon
// that dies mid-command, restarts, a daemon that hangs, several clients.
#include "simulated_links/unix_socket_bus.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <thread>

#include "simulated_links/simulated_links.h"
#include "simulator/sim_daemon_test_support.h"
#include "transport/device.h"
#include "transport/device_spec.h"
#include "transport/spi_link.h"
#include "wire/frame_codec.h"

using namespace maxq;
using sim::testing::DaemonProcess;
using sim::testing::ScratchChip;
using transport::LinkError;
using transport::SpiOp;

namespace {

const Bytes kPingData = {0x00, 0x01, 0x02, 0x03};
const Bytes kPingFrame = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};

struct DaemonRig {
  ScratchChip chip;
  std::string sock = chip.file("sim.sock");
  std::unique_ptr<DaemonProcess> daemon = DaemonProcess::serve(chip.state, sock);

  std::unique_ptr<transport::Device> device() {
    return std::make_unique<transport::Device>(simulated_links::all_links().open("unix:" + sock));
  }
  void restart() {
    if (daemon->running()) daemon->kill9();
    daemon = DaemonProcess::serve(chip.state, sock);
  }
};

// Runs `before_run(n)` ahead of the n-th round trip (1-based).
class HookedBus : public transport::SpiBus {
 public:
  HookedBus(std::unique_ptr<transport::SpiBus> inner, std::function<void(int)> hook)
      : inner_(std::move(inner)), hook_(std::move(hook)) {}
  Bytes run(const std::vector<SpiOp>& ops) override {
    hook_(++runs_);
    return inner_->run(ops);
  }
  std::string describe() const override { return inner_->describe(); }
  std::string lock_path() const override { return inner_->lock_path(); }

 private:
  std::unique_ptr<transport::SpiBus> inner_;
  std::function<void(int)> hook_;
  int runs_ = 0;
};

LinkError::Kind kind_of(const std::function<void()>& fn, std::string& message) {
  try {
    fn();
  } catch (const LinkError& e) {
    message = e.what();
    return e.kind();
  }
  FAIL("no LinkError");
  return LinkError::Kind::Io;
}

}  // namespace

TEST_CASE("commands reach the chip through the daemon", "[unix]") {
  DaemonRig r;
  auto dev = r.device();
  CHECK(dev->ping(kPingData) == kPingData);
  CHECK(dev->status().serial == r.chip.provisioned.serial);
  CHECK(dev->random(100).size() == 100);
  CHECK(dev->describe() == "unix:" + r.sock);
  CHECK(dev->link().lock_path() == r.sock + ".lock");
  CHECK(sim::Counters::read_file(r.chip.state + ".counters").count(0xF7) == 1);
}

TEST_CASE("no daemon: a clear error that says how to start one", "[unix]") {
  ScratchChip chip;
  std::string message;
  auto kind = kind_of([&] { simulated_links::all_links().open("unix:" + chip.file("none.sock")); },
                      message);
  CHECK(kind == LinkError::Kind::NotFound);
  CHECK(message.find("maxq1061-sim --state STATE --socket " + chip.file("none.sock")) !=
        std::string::npos);
  CHECK_THROWS_AS(simulated_links::all_links().open("unix:" + std::string(200, 'x')),
                  transport::ConfigError);
}

TEST_CASE("the daemon killed in the middle of a command, then restarted", "[unix]") {
  DaemonRig r;
  auto bus = std::make_unique<transport::UnixSocketBus>(r.sock);
  // SIGKILL between the round trips of one command: the frame went in, the polls do not.
  auto hooked = std::make_unique<HookedBus>(std::move(bus), [&](int n) {
    if (n == 2) r.daemon->kill9();
  });
  transport::SpiLink link(std::move(hooked));
  // A ping of 64 bytes announced as 0: the answer needs a second round trip.
  Bytes data(64, 0x5A);
  Bytes frame = wire::encode_command(wire::Command::Ping, data);
  std::string message;
  CHECK(kind_of([&] { link.transact(frame, 0); }, message) == LinkError::Kind::Disconnected);
  CHECK(message.find("unix:" + r.sock) != std::string::npos);
  CHECK(message.find("in the middle of a command") != std::string::npos);
  link.reset();  // what the Device does after a failure: must not throw
  // Before the restart: nobody listens on the stale socket.
  CHECK(kind_of([&] { link.transact(frame, data.size()); }, message) == LinkError::Kind::NotFound);
  CHECK(message.find("no simulator daemon listens") != std::string::npos);
  r.restart();
  Bytes answer = link.transact(frame, data.size());
  wire::ResponseFrame rsp;
  REQUIRE(wire::decode_response(answer, rsp) == wire::FrameError::None);
  CHECK(rsp.payload == data);
}

TEST_CASE("the daemon killed while the client waits for its reply", "[unix]") {
  DaemonRig r;
  std::promise<void> sending;
  auto hooked =
      std::make_unique<HookedBus>(std::make_unique<transport::UnixSocketBus>(r.sock), [&](int n) {
        if (n == 2) sending.set_value();  // the second command is about to go out
      });
  transport::Device dev(std::make_unique<transport::SpiLink>(std::move(hooked)));
  REQUIRE(dev.ping(kPingData) == kPingData);
  ::kill(r.daemon->pid(), SIGSTOP);  // the request will sit unanswered
  std::thread killer([&] {
    sending.get_future().wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r.daemon->kill9();
  });
  std::string message;
  auto kind = kind_of([&] { dev.ping(kPingData); }, message);
  killer.join();
  CHECK(kind == LinkError::Kind::Disconnected);
  CHECK(message.find("ping on unix:" + r.sock) != std::string::npos);
  CHECK(message.find("went away") != std::string::npos);
  r.restart();
  CHECK(dev.ping(kPingData) == kPingData);
}

TEST_CASE("a daemon restarted while the client was idle is picked up transparently", "[unix]") {
  DaemonRig r;
  auto dev = r.device();
  REQUIRE(dev->ping(kPingData) == kPingData);
  CHECK(r.daemon->terminate() == 0);
  r.restart();
  CHECK(dev->ping(kPingData) == kPingData);
  CHECK(dev->status().serial == r.chip.provisioned.serial);
}

TEST_CASE("a daemon that stops answering times out, and the link recovers", "[unix]") {
  DaemonRig r;
  transport::UnixSocketBus bus(r.sock, std::chrono::milliseconds(300));
  // A command frame's window: what a fresh connection may start with.
  std::vector<SpiOp> ops = {SpiOp::select(), SpiOp::transfer(kPingFrame), SpiOp::deselect()};
  REQUIRE(bus.run(ops).size() == kPingFrame.size());
  ::kill(r.daemon->pid(), SIGSTOP);
  std::string message;
  CHECK(kind_of([&] { bus.run(ops); }, message) == LinkError::Kind::Timeout);
  CHECK(message.find("did not answer within 300 ms") != std::string::npos);
  CHECK_FALSE(bus.connected());  // a late reply must not be read as the next one
  ::kill(r.daemon->pid(), SIGCONT);
  CHECK(bus.run(ops).size() == kPingFrame.size());
}

TEST_CASE("several clients share the chip, one command at a time", "[unix]") {
  DaemonRig r;
  constexpr int kClients = 4, kCommands = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      try {
        auto dev = r.device();  // its own connection, like another process
        for (int i = 0; i < kCommands; ++i) {
          Bytes data(1 + (i + t) % 50, static_cast<uint8_t>(t * 16 + i));
          if (dev->ping(data) != data) ++failures;
          if (dev->random(16).size() != 16) ++failures;
        }
      } catch (const std::exception& e) {
        WARN(e.what());
        ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(sim::Counters::read_file(r.chip.state + ".counters").count(0xF7) == kClients * kCommands);
}

TEST_CASE("a run longer than one daemon request goes as several, in order", "[unix]") {
  DaemonRig r;
  transport::UnixSocketBus bus(r.sock);
  // The SDK's windows: the frame's, then 2000 one-byte poll windows (6001
  // operations; a request carries at most 1024).
  std::vector<SpiOp> ops = {SpiOp::select(), SpiOp::transfer(kPingFrame), SpiOp::deselect()};
  for (int i = 0; i < 2000; ++i) {
    ops.push_back(SpiOp::select());
    ops.push_back(SpiOp::transfer({0xCC}));
    ops.push_back(SpiOp::deselect());
  }
  Bytes rx = bus.run(ops);
  REQUIRE(rx.size() == kPingFrame.size() + 2000);
  const Bytes answer = {0x55, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0x22, 0x32};
  CHECK(Bytes(rx.begin() + 11, rx.begin() + 22) == answer);
  CHECK(std::all_of(rx.begin() + 22, rx.end(), [](uint8_t b) { return b == wire::kIdleByte; }));
  auto counters = sim::Counters::read_file(r.chip.state + ".counters");
  CHECK(counters.selects == 2001);
  CHECK(counters.count(0xF7) == 1);
}
