#include "wire/object_id.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>

using namespace maxq::wire;

namespace {

// What parse_object_id made of `text`: an id, or none and the reason.
struct Parsed {
  std::optional<uint16_t> id;
  std::string error;
};
Parsed parse(const std::string& text, bool for_new_object = false) {
  Parsed p;
  p.id = parse_object_id(text, p.error, for_new_object);
  CHECK(p.id.has_value() == p.error.empty());
  return p;
}
uint16_t parsed(const std::string& text, bool for_new_object = false) {
  return parse(text, for_new_object).id.value_or(0);
}
std::string refusal(const std::string& text, bool for_new_object = false) {
  Parsed p = parse(text, for_new_object);
  CHECK_FALSE(p.id);
  return p.error;
}

}  // namespace

TEST_CASE("object ids: 0x and hex, or decimal without a leading zero", "[object_id]") {
  CHECK(parsed("0x0101") == 0x0101);
  CHECK(parsed("0X0a0B") == 0x0A0B);
  CHECK(parsed("0x1") == 1);
  CHECK(parsed("0xFFFF") == 0xFFFF);
  CHECK(parsed("257") == 0x0101);
  CHECK(parsed("1") == 1);
  CHECK(parsed("65535") == 0xFFFF);
  for (uint32_t id : {1u, 0x0101u, 0x1000u, 0xFF0Fu, 0xFFFFu})
    CHECK(parsed(format_object_id(static_cast<uint16_t>(id))) == id);
  CHECK(format_object_id(0x0101) == "0x0101");
}

TEST_CASE("object ids: a leading zero is ambiguous and refused, saying what to write",
          "[object_id]") {
  // maxq1061-tool once read 0101 as octal 0x0041, later as hex 0x0101; the
  // URI parser refused it. One rule now: refused everywhere.
  std::string error = refusal("0101");
  CHECK_THAT(error, Catch::Contains("'0101'") && Catch::Contains("ambiguous") &&
                        Catch::Contains("0x101 for hex") && Catch::Contains("drop the zero"));
  CHECK_THAT(refusal("00"), Catch::Contains("ambiguous"));
  CHECK_THAT(refusal("0257"), Catch::Contains("ambiguous"));
}

TEST_CASE("object ids: malformed and out-of-range ids are refused", "[object_id]") {
  // The id as written, and what the refusal must say.
  const std::pair<const char*, const char*> refused[] = {
      {"0", "out of range (ids are 0x0001..0xFFFF)"},
      {"0x0000", "out of range"},
      {"65536", "out of range"},
      {"0x10000", "more than 4 hex digits"},
      {"0x00101", "more than 4 hex digits"},
      {"0xg1", "not a hex number"},
  };
  for (const auto& [text, why] : refused) CHECK_THAT(refusal(text), Catch::Contains(why));
  for (const char* bad : {"", "0x", "zzz", "-1", "+1", " 1", "1 ", "1e3", "0b11", "99999999999"}) {
    std::string error = refusal(bad);
    CHECK_THAT(error, Catch::Contains("bad object id '" + std::string(bad) + "'"));
    CHECK_THAT(error, Catch::Contains("0x0101") || Catch::Contains("0x0001..0xFFFF") ||
                          Catch::Contains("hex"));
  }
}

TEST_CASE("object ids: reserved ids are refused for new objects only", "[object_id]") {
  for (const char* text : {"0x1000", "0x1001", "4097", "0xff00", "0xFF0F"}) {
    CHECK(parsed(text) != 0);  // an existing object may be named (the admin key's public half)
    std::string error = refusal(text, true);
    CHECK_THAT(error, Catch::Contains(std::string("'") + text + "' is reserved") &&
                          Catch::Contains("0xff00..0xff0f") && Catch::Contains("such as 0x0101"));
  }
  CHECK(parsed("0x0fff", true) == 0x0FFF);
  CHECK(parsed("0xff10", true) == 0xFF10);
  CHECK(parsed("0xfeff", true) == 0xFEFF);
  CHECK(is_reserved_object_id(0));
  CHECK(is_reserved_object_id(kAdminKeyId));
  CHECK(is_reserved_object_id(kKeyImportKeyId));
  CHECK(is_reserved_object_id(kFirstTemporaryKeyId));
  CHECK(is_reserved_object_id(kLastTemporaryKeyId));
  CHECK_FALSE(is_reserved_object_id(kLastTemporaryKeyId + 1));
  CHECK_FALSE(is_reserved_object_id(kFirstAutoKeyId));
  CHECK(kLastTemporaryKeyId == 0xFF0F);
}

TEST_CASE("object ids: untrusted text is quoted printable and short", "[object_id]") {
  CHECK_THAT(refusal(std::string("\x01\xff", 2)), Catch::Contains("\\x01\\xFF"));
  std::string error = refusal(std::string(100, '9'));
  CHECK(error.size() < 160);
  CHECK_THAT(error, Catch::Contains("..."));
  CHECK(printable_text("abc") == "abc");
  CHECK(printable_text(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable_text("abcdef", 3) == "abc...");
}
