// Where the provider's Devices check chip signatures: in the application's
// library context when OpenSSL's default provider serves there, otherwise in
// the process's software context; never anywhere that could reach back into
// this provider.
#include "provider/application_signature_check.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <catch2/catch.hpp>

#include "simulated_links/simulated_links.h"
#include "test/support/temp_chip.h"
#include "transport/errors.h"
#include "wire/openssl_handles.h"

using namespace maxq;
using maxq::testing::TempChip;

namespace {

// A library context of an application, with one provider (unloaded first).
struct Application {
  ossl::LibCtxPtr ctx{OSSL_LIB_CTX_new()};
  ossl::ProviderPtr provider;
  Application(const char* name, const char* properties)
      : provider(OSSL_PROVIDER_load(ctx.get(), name)) {
    REQUIRE(provider);
    if (properties) REQUIRE(EVP_set_default_properties(ctx.get(), properties) == 1);
  }
};

struct Signed {
  TempChip t;
  transport::PublicKey pub;
  Bytes digest = Bytes(32, 0x5A);
  Bytes sig;
  Bytes other_digest;
  Signed() {
    auto dev = t.open_device();
    pub = t.make_key(*dev, 0x0101);
    sig = dev->sign(0x0101, digest);
    other_digest = digest;
    other_digest[0] ^= 0x01;
  }
};

}  // namespace

TEST_CASE("the application's context is used only when its default provider serves", "[sigcheck]") {
  ERR_clear_error();
  Signed s;
  Application with_default("default", nullptr), base_only("base", nullptr),
      fips_wanted("default", "fips=yes");
  struct Case {
    std::optional<OSSL_LIB_CTX*> application;
    bool in_application;
  };
  for (const Case& c : {Case{with_default.ctx.get(), true}, Case{base_only.ctx.get(), false},
                        Case{fips_wanted.ctx.get(), false}, Case{std::nullopt, false}}) {
    std::unique_ptr<transport::SignatureVerifier> check =
        provider::make_signature_verifier(c.application);
    REQUIRE(check);
    CHECK((dynamic_cast<provider::ApplicationSignatureCheck*>(check.get()) != nullptr) ==
          c.in_application);
    CHECK(check->verify(wire::Curve::P256, s.pub.xy, s.digest, s.sig));
    CHECK_FALSE(check->verify(wire::Curve::P256, s.pub.xy, s.other_digest, s.sig));
    CHECK(check->curve_of_point(s.pub.xy) == wire::Curve::P256);
  }
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("checks in the application's context refuse what does not verify", "[sigcheck]") {
  ERR_clear_error();
  Signed s;
  Application app("default", nullptr);
  provider::ApplicationSignatureCheck check(app.ctx.get());
  Bytes bad = s.sig;
  bad.back() ^= 0x01;
  CHECK_FALSE(check.verify(wire::Curve::P256, s.pub.xy, s.digest, bad));
  Bytes off_curve = s.pub.xy;
  off_curve.back() ^= 0x01;
  CHECK_FALSE(check.verify(wire::Curve::P256, off_curve, s.digest, s.sig));
  CHECK_FALSE(check.curve_of_point(off_curve));
  CHECK_FALSE(check.verify(wire::Curve::P384, s.pub.xy, s.digest, s.sig));
  CHECK_FALSE(check.verify(wire::Curve::P256, s.pub.xy, Bytes{}, s.sig));
  CHECK_FALSE(check.verify(static_cast<wire::Curve>(9), s.pub.xy, s.digest, s.sig));
  CHECK(ERR_peek_error() == 0);
}

// An application that unloads its default provider after the Device chose
// its context: the checks go on in the software context, not into a false
// "the key does not match".
TEST_CASE("checks move to the software context when the application's stops serving",
          "[sigcheck]") {
  ERR_clear_error();
  Signed s;
  Application app("default", nullptr);
  ossl::ProviderPtr base(OSSL_PROVIDER_load(app.ctx.get(), "base"));  // keeps the context alive
  REQUIRE(base);
  provider::ApplicationSignatureCheck check(app.ctx.get());
  REQUIRE(check.verify(wire::Curve::P256, s.pub.xy, s.digest, s.sig));
  app.provider.reset();
  REQUIRE_FALSE(provider::ApplicationSignatureCheck::default_provider_serves(app.ctx.get()));
  CHECK(check.verify(wire::Curve::P256, s.pub.xy, s.digest, s.sig));
  CHECK_FALSE(check.verify(wire::Curve::P256, s.pub.xy, s.other_digest, s.sig));
  CHECK(check.curve_of_point(s.pub.xy) == wire::Curve::P256);
  CHECK(ERR_peek_error() == 0);
}

// The verifier as the provider hands it to its Device: the first signature
// under a given key (a key reference) is checked there, a stale key refused.
TEST_CASE("a Device with the provider's verifier checks the first signature under a given key",
          "[sigcheck]") {
  ERR_clear_error();
  Signed s;
  Application app("default", nullptr);
  int made = 0, in_application = 0;
  transport::DeviceOptions options;
  options.make_signature_verifier = [&, ctx = app.ctx.get()] {
    std::unique_ptr<transport::SignatureVerifier> v = provider::make_signature_verifier(ctx);
    ++made;
    if (dynamic_cast<provider::ApplicationSignatureCheck*>(v.get()) != nullptr) ++in_application;
    return v;
  };
  transport::Device dev(simulated_links::all_links().open("sim:" + s.t.state), options);
  transport::PublicKey stale = s.pub;
  stale.xy = s.t.make_key(*s.t.open_device(), 0x0102).xy;
  transport::SignatureCheck software;
  CHECK(software.verify(wire::Curve::P256, s.pub.xy, s.digest, dev.sign(0x0101, s.digest, &s.pub)));
  CHECK(made == 1);
  CHECK(in_application == 1);
  CHECK_THROWS_AS(dev.sign(0x0101, s.digest, &stale), transport::KeyMismatchError);
  CHECK(made == 1);
  ERR_clear_error();
}
