#include "provider/provider_config.h"

#include <catch2/catch.hpp>

using maxq::provider::ConfigSettings;
using maxq::provider::resolve_config;

TEST_CASE("without settings: no device and no credentials (fail closed)", "[config]") {
  auto c = resolve_config({}, {});
  CHECK(c.device.empty());
  CHECK(c.admin_key.empty());
  CHECK(c.key_import_key.empty());
  CHECK_FALSE(c.debug);
  CHECK_THAT(maxq::provider::kNoDeviceMessage,
             Catch::Contains("device") && Catch::Contains("MAXQ1061_DEVICE") &&
                 Catch::Contains("maxq1061-tool init --device sim:PATH"));
}

TEST_CASE("the config file names the device and admin key", "[config]") {
  ConfigSettings file;
  file.device = "sim:/var/lib/chip.state";
  auto c = resolve_config({}, file);
  CHECK(c.device == "sim:/var/lib/chip.state");
  CHECK(c.admin_key == "/var/lib/chip.state.admin.pem");  // beside a simulated chip
  // Device options are not part of the path.
  file.device = "sim:/var/lib/chip.state,latency=modelled,spi-clock-hz=2000000";
  CHECK(resolve_config({}, file).admin_key == "/var/lib/chip.state.admin.pem");
  file.device = "sim:";  // refused when the device is opened; no admin key guessed
  CHECK(resolve_config({}, file).admin_key.empty());
  file.admin_key = "/etc/maxq/admin.pem";
  CHECK(resolve_config({}, file).admin_key == "/etc/maxq/admin.pem");
}

TEST_CASE("the environment overrides the config file", "[config]") {
  ConfigSettings env, file;
  file.device = "sim:/a.state";
  file.admin_key = "/a.pem";
  env.device = "ftdi:i:0x0403:0x6014";
  auto c = resolve_config(env, file);
  CHECK(c.device == "ftdi:i:0x0403:0x6014");
  CHECK(c.admin_key == "/a.pem");
  env.admin_key = "/b.pem";
  env.debug = "1";
  c = resolve_config(env, file);
  CHECK(c.admin_key == "/b.pem");
  CHECK(c.debug);
}

TEST_CASE("empty values fall through; hardware has no default admin key", "[config]") {
  ConfigSettings env, file;
  env.device = "";
  file.device = "unix:/run/maxq.sock";
  env.debug = "0";
  auto c = resolve_config(env, file);
  CHECK(c.device == "unix:/run/maxq.sock");
  CHECK(c.admin_key.empty());
  CHECK_FALSE(c.debug);
}

TEST_CASE("verify-signatures comes from the config file; an unknown value is an error to report",
          "[config]") {
  using maxq::transport::SignatureChecking;
  ConfigSettings file;
  CHECK(resolve_config({}, file).verify_signatures == SignatureChecking::AfterDamage);
  file.verify_signatures = "always";
  CHECK(resolve_config({}, file).verify_signatures == SignatureChecking::Always);
  file.verify_signatures = "never";
  CHECK(resolve_config({}, file).verify_signatures == SignatureChecking::Never);
  file.verify_signatures = "after-damage";
  CHECK(resolve_config({}, file).verify_signatures == SignatureChecking::AfterDamage);
  file.verify_signatures = "";
  CHECK(resolve_config({}, file).verify_signatures == SignatureChecking::AfterDamage);
  CHECK(resolve_config({}, file).error.empty());
  file.verify_signatures = "yes";
  auto c = resolve_config({}, file);
  CHECK_THAT(c.error, Catch::Contains("verify-signatures") && Catch::Contains("'yes'") &&
                          Catch::Contains("always, after-damage, never"));
  CHECK(c.verify_signatures == SignatureChecking::AfterDamage);
}
