// The admin key: loading (and refusing) PEM files, signatures that plain
// libcrypto and the chip accept.
#include "transport/credential_key.h"

#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>

#include "test/support/software_ec.h"
#include "test/support/temp_chip.h"
#include "transport/errors.h"

using namespace maxq;
using maxq::testing::TempChip;
using maxq::testing::TempDir;
using transport::CredentialKey;
using transport::ConfigError;

namespace {

struct OsslLibCtx {
  std::unique_ptr<OSSL_LIB_CTX, decltype(&OSSL_LIB_CTX_free)> ctx{OSSL_LIB_CTX_new(),
                                                                  OSSL_LIB_CTX_free};
  std::unique_ptr<OSSL_PROVIDER, decltype(&OSSL_PROVIDER_unload)> prov{
      OSSL_PROVIDER_load(ctx.get(), "default"), OSSL_PROVIDER_unload};
};

// Writes `key` as PEM PKCS#8 (encrypted with `pass` when given).
void write_pem(OSSL_LIB_CTX* ctx, EVP_PKEY* key, const std::string& path,
               const char* pass = nullptr) {
  std::unique_ptr<OSSL_ENCODER_CTX, decltype(&OSSL_ENCODER_CTX_free)> enc(
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", nullptr),
      OSSL_ENCODER_CTX_free);
  REQUIRE(enc);
  if (pass) {
    REQUIRE(OSSL_ENCODER_CTX_set_cipher(enc.get(), "AES-256-CBC", nullptr) == 1);
    REQUIRE(OSSL_ENCODER_CTX_set_passphrase(enc.get(), reinterpret_cast<const unsigned char*>(pass),
                                            std::strlen(pass)) == 1);
  }
  unsigned char* data = nullptr;
  size_t len = 0;
  REQUIRE(OSSL_ENCODER_to_data(enc.get(), &data, &len) == 1);
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(len));
  OPENSSL_clear_free(data, len);
  (void)ctx;
}

Bytes sha256(OSSL_LIB_CTX* ctx, ByteView data) {
  Bytes out(32);
  size_t len = 0;
  REQUIRE(EVP_Q_digest(ctx, "SHA256", nullptr, data.data(), data.size(), out.data(), &len) == 1);
  return out;
}

}  // namespace

TEST_CASE("the provisioned admin key signs challenges libcrypto and the chip accept", "[admin]") {
  TempChip t;
  CredentialKey key = CredentialKey::load(t.admin_key, CredentialKey::Kind::Admin);
  auto dev = t.open_device();
  // Its public half is the chip's object 0x1001.
  transport::PublicKey on_chip = dev->read_public(wire::kCredentialKeyId);
  CHECK(on_chip.curve == wire::Curve::P256);
  CHECK(key.public_xy() == on_chip.xy);

  OsslLibCtx lib;
  maxq::testing::SoftwareEc sw;
  Bytes challenge = dev->challenge(32);
  Bytes sig = key.sign(challenge);
  REQUIRE(sig.size() == 64);
  CHECK(sw.verify(wire::Curve::P256, key.public_xy(), sha256(lib.ctx.get(), challenge), sig));
  CHECK(key.sign(challenge) != sig);  // a fresh nonce every time
  dev->admin_authenticate(sig);
  dev->create_object(transport::ObjectSpec::data(0x0300, 16));  // the admin role took effect

  CredentialKey moved = std::move(key);
  CHECK(moved.public_xy() == on_chip.xy);
}

TEST_CASE("unusable admin key files are refused with the file name and what to do", "[admin]") {
  TempDir dir;
  OsslLibCtx lib;
  auto check_refused = [](const std::string& path, const std::string& why) {
    try {
      CredentialKey::load(path, CredentialKey::Kind::Admin);
      FAIL("loaded " << path);
    } catch (const ConfigError& e) {
      CHECK_THAT(e.what(), Catch::Contains(path) && Catch::Contains(why) &&
                               Catch::Contains("MAXQ1061_ADMIN_KEY"));
    }
  };
  SECTION("missing") {
    check_refused(dir.file("none.pem"), "No such file");
  }
  SECTION("not PEM") {
    std::ofstream(dir.file("junk.pem")) << "this is not a key\n";
    check_refused(dir.file("junk.pem"), "not an unencrypted PEM private key");
  }
  SECTION("encrypted: refused without prompting") {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(
        EVP_PKEY_Q_keygen(lib.ctx.get(), nullptr, "EC", "P-256"), EVP_PKEY_free);
    write_pem(lib.ctx.get(), k.get(), dir.file("enc.pem"), "secret");
    check_refused(dir.file("enc.pem"), "not an unencrypted PEM private key");
  }
  SECTION("another curve") {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(
        EVP_PKEY_Q_keygen(lib.ctx.get(), nullptr, "EC", "P-384"), EVP_PKEY_free);
    write_pem(lib.ctx.get(), k.get(), dir.file("p384.pem"));
    check_refused(dir.file("p384.pem"), "not an EC P-256 private key");
  }
  SECTION("not an EC key") {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> k(
        EVP_PKEY_Q_keygen(lib.ctx.get(), nullptr, "ED25519"), EVP_PKEY_free);
    write_pem(lib.ctx.get(), k.get(), dir.file("ed.pem"));
    check_refused(dir.file("ed.pem"), "not an EC P-256 private key");
  }
  CHECK(ERR_peek_error() == 0);  // no stale libcrypto errors left for the caller
}

TEST_CASE("a key that is not the chip's admin key is refused by the chip", "[admin]") {
  TempChip t, other;
  auto dev = t.open_device();
  try {
    dev->authenticate(CredentialKey::load(other.admin_key), CredentialKey::Kind::Admin);
    FAIL("a foreign admin key was accepted");
  } catch (const transport::ChipError& e) {
    CHECK(e.status() == static_cast<uint16_t>(wire::Status::BadSignature));
    CHECK_THAT(e.what(), Catch::Contains("admin authenticate") &&
                             Catch::Contains("does not belong to this chip"));
  }
}
