// The daemon's message format: round trips, and every malformed input refused.
#include "broker/broker_protocol.h"

#include <catch2/catch.hpp>

#include "wire/frame_codec.h"

using namespace maxq;
using namespace maxq::broker;

TEST_CASE("a command message carries the frame and the size hint") {
  Bytes frame = wire::encode_command(wire::Command::Ping, Bytes{1, 2, 3});
  Bytes m = encode_command(frame, 3);
  std::string error;
  auto h = parse_header(ByteView(m).subview(0, kHeaderBytes), error);
  REQUIRE(h);
  CHECK(h->type == MessageType::Command);
  REQUIRE(h->body_length == m.size() - kHeaderBytes);
  auto c = parse_command(ByteView(m).subview(kHeaderBytes), error);
  REQUIRE(c);
  CHECK(c->expected_payload == 3);
  CHECK(c->frame.to_bytes() == frame);
}

TEST_CASE("headers with a wrong magic, version or type are refused") {
  Bytes m = encode_message(MessageType::StatusRequest, ByteView());
  std::string error;
  Bytes bad = m;
  bad[0] = 'X';
  CHECK_FALSE(parse_header(bad, error));
  CHECK(error.find("magic") != std::string::npos);
  bad = m;
  bad[2] = kVersion + 1;
  CHECK_FALSE(parse_header(bad, error));
  CHECK(error.find("version") != std::string::npos);
  bad = m;
  bad[3] = 0x55;
  CHECK_FALSE(parse_header(bad, error));
  CHECK_FALSE(parse_header(ByteView(m).subview(0, 5), error));
}

TEST_CASE("command bodies outside the frame limits are refused") {
  std::string error;
  CHECK_FALSE(parse_command(Bytes(4, 0), error));  // shorter than any frame
  CHECK_FALSE(parse_command(Bytes(kMaxCommandBody + 1, 0), error));
  CHECK(error.find("frame limit") != std::string::npos);
  Bytes hint_too_big(2 + wire::kHeaderSize + wire::kCrcSize, 0);
  hint_too_big[0] = 0xFF;
  CHECK_FALSE(parse_command(hint_too_big, error));
}

TEST_CASE("error messages round trip and unknown codes are refused") {
  Bytes m = encode_error(ErrorCode::TooManyClients, "too many clients");
  auto e = parse_error(ByteView(m).subview(kHeaderBytes));
  REQUIRE(e);
  CHECK(e->code == ErrorCode::TooManyClients);
  CHECK(e->message == "too many clients");
  CHECK_FALSE(parse_error(Bytes{0}));
  CHECK_FALSE(parse_error(Bytes{99, 'x'}));
  CHECK_FALSE(parse_error(ByteView()));
  // Overlong messages are cut to the limit when sent.
  Bytes longer = encode_error(ErrorCode::Forbidden, std::string(5000, 'a'));
  CHECK(longer.size() == kHeaderBytes + 1 + kMaxErrorMessage);
}

TEST_CASE("status round trips; truncated or padded status is refused") {
  BrokerStatus s;
  s.device = "sim:/tmp/x";
  s.device_ok = false;
  s.uptime_seconds = 7;
  s.max_clients = 64;
  s.commands = 1234567890123ull;
  s.busy_us = 42;
  ClientStatus c;
  c.id = 3;
  c.pid = 4242;
  c.uid = 33;
  c.gid = 33;
  c.commands = 9;
  c.temporary_objects = 2;
  c.holds_chip = true;
  c.connected_seconds = 5;
  s.clients = {c, c};
  Bytes m = encode_status(s);
  std::string error;
  auto back = parse_status(ByteView(m).subview(kHeaderBytes), error);
  REQUIRE(back);
  CHECK(back->device == s.device);
  CHECK_FALSE(back->device_ok);
  CHECK(back->commands == s.commands);
  REQUIRE(back->clients.size() == 2);
  CHECK(back->clients[1].pid == 4242);
  CHECK(back->clients[1].holds_chip);
  CHECK(back->clients[1].temporary_objects == 2);
  Bytes body(m.begin() + kHeaderBytes, m.end());
  body.pop_back();
  CHECK_FALSE(parse_status(body, error));
  body.push_back(0);
  body.push_back(0);
  CHECK_FALSE(parse_status(body, error));
}
