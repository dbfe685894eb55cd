#include "provider/maxq_uri.h"

#include <catch2/catch.hpp>
#include <string>

using maxq::provider::format_maxq_uri;
using maxq::provider::MaxqUri;
using maxq::provider::parse_maxq_uri;

namespace {

MaxqUri parse_ok(const std::string& uri) {
  std::string error;
  auto parsed = parse_maxq_uri(uri, error);
  INFO(uri << ": " << error);
  REQUIRE(parsed);
  CHECK(error.empty());
  return *parsed;
}

std::string parse_error(const std::string& uri) {
  std::string error;
  auto parsed = parse_maxq_uri(uri, error);
  INFO(uri);
  CHECK_FALSE(parsed);
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("maxq1061: URIs name an object by hex or decimal id", "[uri]") {
  CHECK(parse_ok("maxq1061:id=0x0101").id == 0x0101);
  CHECK(parse_ok("maxq1061:id=0x0101").type == MaxqUri::Type::Any);
  CHECK(parse_ok("maxq1061:id=0X0a0B").id == 0x0A0B);
  CHECK(parse_ok("maxq1061:id=0x1").id == 1);
  CHECK(parse_ok("maxq1061:id=0xFFFF").id == 0xFFFF);
  CHECK(parse_ok("maxq1061:id=257").id == 0x0101);
  CHECK(parse_ok("maxq1061:id=65535").id == 0xFFFF);
  CHECK(parse_ok("maxq1061:id=7").id == 7);
  // The scheme is case-insensitive like any URI scheme (OpenSSL matches it so).
  CHECK(parse_ok("MAXQ1061:id=0x0101").id == 0x0101);
}

TEST_CASE("maxq1061: URIs take an optional type, in either order", "[uri]") {
  MaxqUri cert = parse_ok("maxq1061:id=0x0201;type=cert");
  CHECK(cert.id == 0x0201);
  CHECK(cert.type == MaxqUri::Type::Cert);
  CHECK(parse_ok("maxq1061:type=cert;id=0x0201").type == MaxqUri::Type::Cert);
  CHECK(parse_ok("maxq1061:id=0x0101;type=key").type == MaxqUri::Type::Key);
}

TEST_CASE("malformed maxq1061: URIs say what is wrong", "[uri]") {
  CHECK_THAT(parse_error("maxq1061:"), Catch::Contains("no object id"));
  CHECK_THAT(parse_error("maxq1061:type=cert"), Catch::Contains("no object id"));
  CHECK_THAT(parse_error("file:id=0x0101"), Catch::Contains("not a maxq1061: URI"));
  CHECK_THAT(parse_error("maxq1061"), Catch::Contains("not a maxq1061: URI"));
  CHECK_THAT(parse_error("maxq1061:id=zzz"), Catch::Contains("bad object id 'zzz'"));
  CHECK_THAT(parse_error("maxq1061:id=0x"), Catch::Contains("bad object id"));
  CHECK_THAT(parse_error("maxq1061:id=0xg1"), Catch::Contains("not a hex number"));
  CHECK_THAT(parse_error("maxq1061:id=0x10000"), Catch::Contains("more than 4 hex digits"));
  CHECK_THAT(parse_error("maxq1061:id=0x00101"), Catch::Contains("more than 4 hex digits"));
  CHECK_THAT(parse_error("maxq1061:id=65536"), Catch::Contains("out of range"));
  CHECK_THAT(parse_error("maxq1061:id=99999999999999999999"), Catch::Contains("bad object id"));
  CHECK_THAT(parse_error("maxq1061:id=0"), Catch::Contains("out of range"));
  CHECK_THAT(parse_error("maxq1061:id=0x0000"), Catch::Contains("out of range"));
  CHECK_THAT(parse_error("maxq1061:id=-1"), Catch::Contains("bad object id"));
  CHECK_THAT(parse_error("maxq1061:id=+1"), Catch::Contains("bad object id"));
  CHECK_THAT(parse_error("maxq1061:id= 1"), Catch::Contains("bad object id"));
  CHECK_THAT(parse_error("maxq1061:id=1 "), Catch::Contains("bad object id"));
  CHECK_THAT(parse_error("maxq1061:id="), Catch::Contains("bad object id"));
  CHECK_THAT(parse_error("maxq1061:id"), Catch::Contains("has no value"));
  CHECK_THAT(parse_error("maxq1061:id=0x0101;"), Catch::Contains("empty attribute"));
  CHECK_THAT(parse_error("maxq1061:;id=0x0101"), Catch::Contains("empty attribute"));
  CHECK_THAT(parse_error("maxq1061:id=0x0101;;type=key"), Catch::Contains("empty attribute"));
  CHECK_THAT(parse_error("maxq1061:id=0x0101;type=bogus"), Catch::Contains("unknown type 'bogus'"));
  CHECK_THAT(parse_error("maxq1061:id=0x0101;type=CERT"), Catch::Contains("unknown type"));
  CHECK_THAT(parse_error("maxq1061:id=0x0101;slot=2"), Catch::Contains("unknown attribute 'slot'"));
  CHECK_THAT(parse_error("maxq1061:ID=0x0101"), Catch::Contains("unknown attribute 'ID'"));
  CHECK_THAT(parse_error("maxq1061:id=1;id=2"), Catch::Contains("id given twice"));
  CHECK_THAT(parse_error("maxq1061:id=1;type=key;type=cert"), Catch::Contains("type given twice"));
}

TEST_CASE("a decimal id with a leading zero is refused as ambiguous", "[uri]") {
  std::string error = parse_error("maxq1061:id=0101");
  CHECK_THAT(error, Catch::Contains("ambiguous") && Catch::Contains("0x101"));
}

TEST_CASE("URI errors show untrusted text printable and short", "[uri]") {
  CHECK_THAT(parse_error(std::string("maxq1061:id=\x01\xff", 14)), Catch::Contains("\\x01\\xFF"));
  std::string error = parse_error("maxq1061:id=" + std::string(100, '9'));
  CHECK(error.size() < 160);
  CHECK_THAT(error, Catch::Contains("..."));
  CHECK_THAT(parse_error(std::string("maxq1061:id=1\0;type=key", 23)), Catch::Contains("\\x00"));
}

TEST_CASE("over-long URIs are refused before they are parsed", "[uri]") {
  std::string uri = "maxq1061:id=0x0101;type=key" + std::string(300, ';');
  CHECK_THAT(parse_error(uri), Catch::Contains("longer than 256"));
}

TEST_CASE("format_maxq_uri writes the canonical form that parses back", "[uri]") {
  for (auto type : {MaxqUri::Type::Any, MaxqUri::Type::Key, MaxqUri::Type::Cert}) {
    for (uint16_t id : {uint16_t{1}, uint16_t{0x0101}, uint16_t{0xFFFF}}) {
      MaxqUri uri{id, type};
      MaxqUri back = parse_ok(format_maxq_uri(uri));
      CHECK(back.id == id);
      CHECK(back.type == type);
    }
  }
  CHECK(format_maxq_uri({0x0101, MaxqUri::Type::Any}) == "maxq1061:id=0x0101");
  CHECK(format_maxq_uri({0x0201, MaxqUri::Type::Cert}) == "maxq1061:id=0x0201;type=cert");
}
