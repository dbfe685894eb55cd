// The chip's two credentials, the admin key and the key-import key: loading
// (and refusing) PEM files, signatures that plain libcrypto and the chip
// accept, error messages that name the right setting.
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
using transport::ConfigError;
using transport::CredentialKey;

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
  CHECK(key.kind() == CredentialKey::Kind::Admin);
  CHECK(key.path() == t.admin_key);
  auto dev = t.open_device();
  // Its public half is the chip's object 0x1001.
  transport::PublicKey on_chip = dev->read_public(wire::kAdminKeyId);
  CHECK(on_chip.curve == wire::Curve::P256);
  CHECK(key.public_xy() == on_chip.xy);

  OsslLibCtx lib;
  maxq::testing::SoftwareEc sw;
  Bytes challenge = dev->challenge(wire::kAdminChallengeBytes);
  Bytes sig = key.sign(challenge);
  REQUIRE(sig.size() == 64);
  CHECK(sw.verify(wire::Curve::P256, key.public_xy(), sha256(lib.ctx.get(), challenge), sig));
  CHECK(key.sign(challenge) != sig);  // a fresh nonce every time
  dev->admin_authenticate(sig);
  dev->create_object(transport::ObjectSpec::data(0x0300, 16));  // the admin role took effect

  CredentialKey moved = std::move(key);
  CHECK(moved.public_xy() == on_chip.xy);
}

TEST_CASE("the provisioned key-import key is object 0x1000 and signs any message", "[admin]") {
  TempChip t;
  CredentialKey key = CredentialKey::load(t.key_import_key, CredentialKey::Kind::KeyImport);
  CHECK(key.kind() == CredentialKey::Kind::KeyImport);
  auto dev = t.open_device();
  CHECK(key.public_xy() == dev->read_public(wire::kKeyImportKeyId).xy);
  CHECK(key.public_xy() != dev->read_public(wire::kAdminKeyId).xy);  // two distinct keys
  OsslLibCtx lib;
  maxq::testing::SoftwareEc sw;
  // A key descriptor (10 bytes) and a certificate-sized body: SHA-256 of exactly the message.
  for (size_t n : {size_t{10}, size_t{1}, size_t{1500}}) {
    Bytes message(n);
    for (size_t i = 0; i < n; ++i) message[i] = static_cast<uint8_t>(i * 7 + 3);
    Bytes sig = key.sign(message);
    REQUIRE(sig.size() == 64);
    CHECK(sw.verify(wire::Curve::P256, key.public_xy(), sha256(lib.ctx.get(), message), sig));
  }
  CHECK(CredentialKey::describe(CredentialKey::Kind::KeyImport) == "key-import key");
  CHECK(CredentialKey::describe(CredentialKey::Kind::Admin) == "admin key");
}

TEST_CASE("unusable credential files are refused with the file name and the right setting",
          "[admin]") {
  TempDir dir;
  OsslLibCtx lib;
  auto kind = GENERATE(CredentialKey::Kind::Admin, CredentialKey::Kind::KeyImport);
  const bool admin = kind == CredentialKey::Kind::Admin;
  auto check_refused = [&](const std::string& path, const std::string& why) {
    try {
      CredentialKey::load(path, kind);
      FAIL("loaded " << path);
    } catch (const ConfigError& e) {
      std::string m = e.what();
      CHECK_THAT(m, Catch::Contains(path) && Catch::Contains(why));
      if (admin) {
        CHECK_THAT(m, Catch::Contains("the admin key") && Catch::Contains("admin-key") &&
                          Catch::Contains("MAXQ1061_ADMIN_KEY") && Catch::Contains("0x1001") &&
                          Catch::Contains("PATH.admin.pem"));
        CHECK(m.find("KEY_IMPORT") == std::string::npos);
      } else {
        CHECK_THAT(m, Catch::Contains("the key-import key") && Catch::Contains("key-import-key") &&
                          Catch::Contains("MAXQ1061_KEY_IMPORT_KEY") && Catch::Contains("0x1000") &&
                          Catch::Contains("PATH.key-import.pem"));
        CHECK(m.find("ADMIN_KEY") == std::string::npos);
      }
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
  bool ran = false;
  try {
    dev->as_admin(CredentialKey::load(other.admin_key, CredentialKey::Kind::Admin),
                  [&] { ran = true; });
    FAIL("a foreign admin key was accepted");
  } catch (const transport::ChipError& e) {
    CHECK(e.status() == static_cast<uint16_t>(wire::Status::BadSignature));
    CHECK_THAT(e.what(), Catch::Contains("admin authenticate") &&
                             Catch::Contains("does not belong to this chip") &&
                             Catch::Contains("MAXQ1061_ADMIN_KEY"));
  }
  CHECK_FALSE(ran);
}
