// The daemon's message format: round trips, and every way a message can be malformed.
#include "simulator/spi_socket_protocol.h"

#include <catch2/catch.hpp>

using namespace maxq;
namespace ss = sim::spi_socket;

namespace {

Bytes header(uint8_t m0, uint8_t m1, uint8_t version, uint8_t type, uint32_t length) {
  return {m0,
          m1,
          version,
          type,
          static_cast<uint8_t>(length >> 24),
          static_cast<uint8_t>(length >> 16),
          static_cast<uint8_t>(length >> 8),
          static_cast<uint8_t>(length)};
}

bool body_ok(const Bytes& body, std::string& error) {
  std::vector<ss::Op> ops;
  return ss::parse_request_body(body, ops, error);
}

}  // namespace

TEST_CASE("a batch survives encoding and parsing", "[spi-socket]") {
  std::vector<ss::Op> ops = {{ss::Op::Kind::Deselect, {}},
                             {ss::Op::Kind::Select, {}},
                             {ss::Op::Kind::Transfer, {0xAA, 0x00, 0xF7}},
                             {ss::Op::Kind::Transfer, Bytes(300, 0xCC)}};
  Bytes msg = ss::encode_request(ops);
  CHECK(Bytes(msg.begin(), msg.begin() + 4) == Bytes({'M', 'Q', 1, 1}));
  std::string error;
  auto h = ss::parse_request_header(ByteView(msg).subview(0, ss::kHeaderBytes), error);
  REQUIRE(h);
  CHECK(h->body_length == msg.size() - ss::kHeaderBytes);
  std::vector<ss::Op> back;
  REQUIRE(ss::parse_request_body(ByteView(msg).subview(ss::kHeaderBytes), back, error));
  REQUIRE(back.size() == 4);
  CHECK(back[0].kind == ss::Op::Kind::Deselect);
  CHECK(back[1].kind == ss::Op::Kind::Select);
  CHECK(back[2].tx == ops[2].tx);
  CHECK(back[3].tx == ops[3].tx);
  CHECK(ss::miso_bytes(back) == 303);
}

TEST_CASE("replies carry MISO bytes or a refusal", "[spi-socket]") {
  Bytes ok = ss::encode_reply(ss::ReplyStatus::Ok, Bytes{1, 2});
  std::string error;
  auto h = ss::parse_reply_header(ByteView(ok).subview(0, 8), error);
  REQUIRE(h);
  CHECK(h->type_or_status == 0);
  CHECK(h->body_length == 2);
  Bytes refused = ss::encode_reply(ss::ReplyStatus::Refused, ByteView(std::string_view("no")));
  CHECK(ss::parse_reply_header(ByteView(refused).subview(0, 8), error)->type_or_status == 1);
  CHECK_FALSE(ss::parse_reply_header(header('M', 'Q', 1, 7, 0), error));
  CHECK(error.find("status") != std::string::npos);
}

TEST_CASE("malformed headers are refused with a reason", "[spi-socket]") {
  std::string error;
  CHECK_FALSE(ss::parse_request_header(header('G', 'E', 1, 1, 0), error));
  CHECK(error.find("magic") != std::string::npos);
  CHECK_FALSE(ss::parse_request_header(header('M', 'Q', 2, 1, 0), error));
  CHECK(error.find("version") != std::string::npos);
  CHECK_FALSE(ss::parse_request_header(header('M', 'Q', 1, 9, 0), error));
  CHECK(error.find("type") != std::string::npos);
  CHECK_FALSE(ss::parse_request_header(header('M', 'Q', 1, 1, 0xFFFFFFFF), error));
  CHECK(error.find("limit") != std::string::npos);
  CHECK_FALSE(ss::parse_request_header(header('M', 'Q', 1, 1, ss::kMaxBodyBytes + 1), error));
  CHECK(ss::parse_request_header(header('M', 'Q', 1, 1, ss::kMaxBodyBytes), error));
  CHECK_FALSE(ss::parse_request_header(Bytes{'M', 'Q', 1}, error));
}

TEST_CASE("malformed bodies are refused with a reason", "[spi-socket]") {
  std::string error;
  CHECK(body_ok({}, error));  // an empty batch is legal and does nothing
  CHECK_FALSE(body_ok({0x07}, error));
  CHECK(error.find("unknown operation") != std::string::npos);
  CHECK_FALSE(body_ok({0x03, 0x00, 0x00}, error));  // count cut short
  CHECK_FALSE(body_ok({0x03, 0x00, 0x00, 0x00, 0x00}, error));
  CHECK(error.find("empty") != std::string::npos);
  CHECK_FALSE(body_ok({0x03, 0x00, 0x00, 0x00, 0x05, 0x01, 0x02}, error));
  CHECK(error.find("left") != std::string::npos);
  CHECK_FALSE(body_ok({0x03, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, error));
  CHECK_FALSE(body_ok(Bytes(ss::kMaxOps + 1, 0x01), error));
  CHECK(error.find("operations") != std::string::npos);
  CHECK(body_ok(Bytes(ss::kMaxOps, 0x01), error));
}

TEST_CASE("oversized batches are refused when encoding", "[spi-socket]") {
  std::vector<ss::Op> many(ss::kMaxOps + 1, ss::Op{ss::Op::Kind::Select, {}});
  CHECK_THROWS_AS(ss::encode_request(many), std::length_error);
  std::vector<ss::Op> big = {{ss::Op::Kind::Transfer, Bytes(ss::kMaxBodyBytes, 0)}};
  CHECK_THROWS_AS(ss::encode_request(big), std::length_error);
}
