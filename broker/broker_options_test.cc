// maxq1061d's command line: defaults, limits, and errors that name the option.
#include "broker/broker_options.h"

#include <catch2/catch.hpp>

using namespace maxq::broker;

namespace {
std::string usage_error(std::vector<std::string> args) {
  try {
    parse_options(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("defaults") {
  BrokerOptions o = parse_options({"--device", "sim:/tmp/chip.state"});
  CHECK(o.socket == "/run/maxq1061/maxq1061.sock");
  CHECK(o.server.max_clients == 64);
  CHECK(o.server.session.idle_timeout == std::chrono::seconds(600));
  CHECK(o.isolation.admin_hold == std::chrono::milliseconds(10000));
  CHECK(o.socket_mode == 0660);
  CHECK_FALSE(o.foreground);
}

TEST_CASE("settings are taken and checked") {
  BrokerOptions o = parse_options(
      {"--device", "unix:/tmp/s", "--max-clients", "3", "--idle-timeout", "0", "--admin-hold-ms",
       "250", "--socket-mode", "0666", "--manage-users", "root,0", "--group", "0", "--foreground"});
  CHECK(o.server.max_clients == 3);
  CHECK(o.server.session.idle_timeout == std::chrono::seconds(0));
  CHECK(o.isolation.admin_hold == std::chrono::milliseconds(250));
  CHECK(o.socket_mode == 0666);
  CHECK(o.isolation.manage_users == std::vector<uid_t>{0, 0});
  REQUIRE(o.group);
  CHECK(*o.group == 0);
  CHECK(o.foreground);
}

TEST_CASE("bad command lines say what is wrong") {
  CHECK(usage_error({}).find("--device is required") != std::string::npos);
  CHECK(usage_error({"--device", "broker:/x"}).find("owns the device") != std::string::npos);
  CHECK(usage_error({"--device", "nope:/x"}).find("--device") != std::string::npos);
  CHECK(usage_error({"--device", "sim:/x", "--max-clients", "0"}).find("--max-clients") !=
        std::string::npos);
  CHECK(usage_error({"--device", "sim:/x", "--max-clients", "-1"}).find("whole number") !=
        std::string::npos);
  CHECK(usage_error({"--device", "sim:/x", "--socket-mode", "999"}).find("octal") !=
        std::string::npos);
  CHECK(usage_error({"--device", "sim:/x", "--group", "no-such-group-xyz"}).find("groupadd") !=
        std::string::npos);
  CHECK(usage_error({"--device", "sim:/x", "--manage-users", "no-such-user-xyz"}).find("no user") !=
        std::string::npos);
  CHECK(usage_error({"--device", "sim:/x", "--frobnicate"}).find("unknown argument") !=
        std::string::npos);
  CHECK(usage_error({"--device"}).find("needs a value") != std::string::npos);
}
