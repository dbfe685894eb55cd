// maxq1061d as a process, clients through broker:PATH: signatures, status,
// admin isolation, challenges, temporary objects per client, malformed
// messages, the client limit, the idle timeout, SIGTERM.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <thread>

#include "broker/broker_protocol.h"
#include "broker/broker_test_support.h"
#include "transport/broker_link.h"
#include "transport/credential_key.h"
#include "transport/signature_check.h"
#include "wire/admin_layout.h"
#include "wire/frame_codec.h"

using namespace maxq;
using namespace std::chrono_literals;
using broker::testing::BrokerFixture;
using broker::testing::start_broker;
using transport::ChipError;
using transport::CredentialKey;
using transport::ObjectSpec;
using wire::Curve;

namespace {

const Bytes kDigest(32, 0x5A);

// The status a chip command failed with, or 0.
template <typename F>
uint16_t status_of(F&& f) {
  try {
    f();
  } catch (const ChipError& e) {
    return e.status();
  }
  return 0;
}

transport::PublicKey make_key(BrokerFixture& f, uint16_t id) {
  auto admin = f.client();
  transport::PublicKey pub;
  admin->as_admin(f.admin(), [&] {
    admin->create_object(ObjectSpec::key_pair(id, Curve::P256));
    pub = admin->generate_key(id, Curve::P256, f.key_import());
  });
  return pub;
}

transport::BrokerLink& broker_link(transport::Device& dev) {
  return dynamic_cast<transport::BrokerLink&>(dev.link());
}

// One raw connection that sends `bytes` and returns what the daemon answers
// until it closes (or 5 s pass).
Bytes raw_exchange(const std::string& socket, ByteView bytes) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket.c_str(), socket.size() + 1);
  posix::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(bytes.size()));
  Bytes out;
  uint8_t buf[4096];
  for (;;) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    ssize_t r = ::recv(fd.get(), buf, sizeof buf, 0);
    if (r <= 0) break;
    out.insert(out.end(), buf, buf + r);
  }
  return out;
}

std::string error_text(ByteView reply) {
  std::string error;
  auto h = broker::parse_header(reply.subview(0, broker::kHeaderBytes), error);
  if (!h || h->type != broker::MessageType::Error) return "";
  auto e = broker::parse_error(reply.subview(broker::kHeaderBytes, h->body_length));
  return e ? e->message : "";
}

}  // namespace

TEST_CASE("clients sign through the daemon; its status shows them and its counters") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket);
  transport::PublicKey pub = make_key(f, 0x0101);
  auto a = f.client();
  auto b = f.client();
  transport::SignatureCheck check;
  for (int i = 0; i < 5; ++i) {
    CHECK(check.verify(Curve::P256, pub.xy, kDigest, a->sign(0x0101, kDigest)));
    CHECK(check.verify(Curve::P256, pub.xy, kDigest, b->sign(0x0101, kDigest)));
  }
  broker::BrokerStatus s = broker_link(*a).daemon_status();
  CHECK(s.device == f.device());
  CHECK(s.device_ok);
  CHECK(s.clients.size() == 2);
  CHECK(s.commands >= 10);
  CHECK(s.max_clients == 64);
  for (const auto& c : s.clients) {
    CHECK(c.pid == ::getpid());
    CHECK(c.uid == ::getuid());
    CHECK_FALSE(c.holds_chip);
  }
  CHECK(daemon->terminate() == 0);
}

TEST_CASE("while client A is admin, client B's create is refused as on a chip without admin") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket);
  auto a = f.client();
  auto b = f.client();
  // What a chip without an admin login answers.
  const uint16_t without_admin =
      status_of([&] { b->create_object(ObjectSpec::key_pair(0x0150, Curve::P256)); });
  REQUIRE(without_admin != 0);

  std::atomic<bool> b_done{false};
  uint16_t b_status = 0;
  std::thread other;
  a->as_admin(f.admin(), [&] {
    other = std::thread([&] {
      b_status = status_of([&] { b->create_object(ObjectSpec::key_pair(0x0151, Curve::P256)); });
      b_done = true;
    });
    std::this_thread::sleep_for(200ms);
    CHECK_FALSE(b_done);  // B waits while A's admin sequence holds the chip
    a->create_object(ObjectSpec::key_pair(0x0152, Curve::P256));  // A is admin
    CHECK(broker_link(*a).daemon_status().admin_sessions == 1);
  });
  other.join();
  CHECK(b_status == without_admin);
}

TEST_CASE("an idle admin session is ended for waiting clients after --admin-hold-ms") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket, {"--admin-hold-ms", "300"});
  auto a = f.client();
  auto b = f.client();
  const uint16_t without_admin =
      status_of([&] { a->create_object(ObjectSpec::key_pair(0x0160, Curve::P256)); });
  CredentialKey key = f.admin();
  a->admin_authenticate(key.sign(a->challenge(wire::kAdminChallengeBytes)));
  auto start = std::chrono::steady_clock::now();
  CHECK(status_of([&] { b->create_object(ObjectSpec::key_pair(0x0161, Curve::P256)); }) ==
        without_admin);
  CHECK(std::chrono::steady_clock::now() - start >= 250ms);
  // A's admin session was ended by the daemon: A is refused too now.
  CHECK(status_of([&] { a->create_object(ObjectSpec::key_pair(0x0162, Curve::P256)); }) ==
        without_admin);
  CHECK(broker_link(*b).daemon_status().hold_expiries == 1);
}

TEST_CASE("a challenge is never shared: another client's login over it is refused") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket, {"--challenge-hold-ms", "200"});
  auto a = f.client();
  auto b = f.client();
  CredentialKey key = f.admin();
  Bytes challenge = a->challenge(wire::kAdminChallengeBytes);
  // B signs A's challenge with the right key: still not its challenge.
  CHECK(status_of([&] { b->admin_authenticate(key.sign(challenge)); }) ==
        static_cast<uint16_t>(wire::Status::NotAllowed));
  // A's own login after another client ran is refused as well (the chip discards it).
  CHECK(status_of([&] { a->admin_authenticate(key.sign(challenge)); }) ==
        static_cast<uint16_t>(wire::Status::NotAllowed));
  // A fresh challenge and its login, back to back, work.
  a->as_admin(key, [&] { a->create_object(ObjectSpec::key_pair(0x0180, Curve::P256)); });
}

TEST_CASE("temporary objects belong to their client and are freed when it goes") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket);
  auto a = f.client();
  auto b = f.client();
  a->create_object(ObjectSpec::temporary_key_pair(0xFF10, Curve::P256));
  transport::PublicKey pub = a->generate_key(0xFF10, Curve::P256, f.key_import());
  const auto denied = static_cast<uint16_t>(wire::Status::AccessDenied);
  CHECK(status_of([&] { b->sign(0xFF10, kDigest); }) == denied);
  CHECK(status_of([&] { b->delete_object(0xFF10); }) == denied);
  CHECK(status_of([&] { b->read_public(0xFF10); }) == denied);
  transport::SignatureCheck check;
  CHECK(check.verify(Curve::P256, pub.xy, kDigest, a->sign(0xFF10, kDigest)));
  CHECK(broker_link(*b).daemon_status().clients.size() == 2);
  a.reset();  // disconnects
  // Freed: B may make an object with that id now.
  bool created = false;
  for (int i = 0; i < 200 && !created; ++i) {
    created = status_of([&] {
                b->create_object(ObjectSpec::temporary_key_pair(0xFF10, Curve::P256));
              }) == 0;
    if (!created) std::this_thread::sleep_for(10ms);
  }
  CHECK(created);
  CHECK(broker_link(*b).daemon_status().temporaries_freed >= 1);
}

TEST_CASE("a malformed or oversized message disconnects only its client") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket);
  transport::PublicKey pub = make_key(f, 0x0101);
  auto good = f.client();
  transport::SignatureCheck check;
  CHECK(check.verify(Curve::P256, pub.xy, kDigest, good->sign(0x0101, kDigest)));

  std::string garbage = "GET / HTTP/1.0\r\n\r\n";
  CHECK(error_text(raw_exchange(f.socket, ByteView(garbage))).find("magic") != std::string::npos);
  Bytes oversized{'M', 'Q', broker::kVersion, 0x01, 0xFF, 0xFF};
  CHECK(error_text(raw_exchange(f.socket, oversized)).find("limit") != std::string::npos);
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes{1, 2, 3});
  frame.back() ^= 0xFF;  // CRC broken
  CHECK(error_text(raw_exchange(f.socket, broker::encode_command(frame, 3))).find("CRC") !=
        std::string::npos);
  Bytes reply_type = broker::encode_message(broker::MessageType::Response, Bytes{0x55});
  CHECK(error_text(raw_exchange(f.socket, reply_type)).find("not a request") != std::string::npos);

  CHECK(check.verify(Curve::P256, pub.xy, kDigest, good->sign(0x0101, kDigest)));
  CHECK(daemon->running());
}

TEST_CASE("the client limit refuses with a message naming the setting") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket, {"--max-clients", "2"});
  // start_broker's readiness probe connects and closes at once; until the
  // daemon has seen that close it counts as a client and may take b's place
  // (and a's slot is free only once the daemon has seen a go).
  auto served_soon = [](transport::Device& d, uint8_t tag) {
    for (int i = 0; i < 200; ++i) {
      try {
        return d.ping(Bytes{tag}) == Bytes{tag};
      } catch (const transport::LinkError&) {
        std::this_thread::sleep_for(10ms);
      }
    }
    return false;
  };
  auto a = f.client();
  auto b = f.client();
  REQUIRE(served_soon(*a, 1));
  REQUIRE(served_soon(*b, 2));
  auto c = f.client();  // the connection is accepted, then refused
  try {
    c->ping(Bytes{3});
    FAIL("the third client was served");
  } catch (const transport::LinkError& e) {
    CHECK(std::string(e.what()).find("too many clients") != std::string::npos);
    CHECK(std::string(e.what()).find("--max-clients") != std::string::npos);
  }
  a.reset();
  CHECK(served_soon(*c, 4));
  CHECK(broker_link(*c).daemon_status().refused >= 1);
}

TEST_CASE("idle clients are disconnected and reconnect at their next command") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket, {"--idle-timeout", "1"});
  auto a = f.client();
  a->ping(Bytes{1});
  std::this_thread::sleep_for(1500ms);
  CHECK(a->ping(Bytes{2}) == Bytes{2});
  CHECK(broker_link(*a).daemon_status().connections >= 2);
}

TEST_CASE("SIGTERM stops the daemon cleanly and clients say how to start it") {
  BrokerFixture f;
  auto daemon = start_broker(f.device(), f.socket);
  auto a = f.client();
  a->create_object(ObjectSpec::temporary_key_pair(0xFF30, Curve::P256));
  CHECK(daemon->terminate() == 0);
  struct stat st;
  CHECK(::stat(f.socket.c_str(), &st) != 0);  // the socket is gone
  try {
    a->ping(Bytes{1});
    FAIL("served after SIGTERM");
  } catch (const transport::LinkError& e) {
    CHECK(std::string(e.what()).find("maxq1061d") != std::string::npos);
  }
  CHECK(daemon->stderr_text().find("stopped") != std::string::npos);
}
