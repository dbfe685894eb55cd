// The key-reference encoder with the provider loaded: chip keys are written as
// references by the same calls `openssl genpkey/pkey -out` make, and no
// encoding ever carries private key material.
// The legacy EC_KEY API is checked here on purpose: Ruby and Node use it.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <string>

#include "provider/key_reference.h"
#include "provider/provider_io_test_support.h"
#include "wire/openssl_handles.h"

using maxq::Bytes;
using maxq::testing::ChipAndProvider;
using maxq::testing::drain_errors;
using maxq::testing::PkeyPtr;

namespace {

using maxq::ossl::BioPtr;
using StorePtr = std::unique_ptr<OSSL_STORE_CTX, maxq::ossl::Deleter<OSSL_STORE_close>>;
using InfoPtr = std::unique_ptr<OSSL_STORE_INFO, maxq::ossl::Deleter<OSSL_STORE_INFO_free>>;
using maxq::ossl::EncoderCtxPtr;

// The chip key `id` loaded through the store (as `-key maxq1061:id=...` does).
PkeyPtr load_chip_key(OSSL_LIB_CTX* ctx, uint16_t id) {
  char uri[32];
  std::snprintf(uri, sizeof uri, "maxq1061:id=0x%04x", id);
  StorePtr store(
      OSSL_STORE_open_ex(uri, ctx, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  REQUIRE(store);
  InfoPtr info(OSSL_STORE_load(store.get()));
  INFO(drain_errors());
  REQUIRE(info);
  PkeyPtr pkey(OSSL_STORE_INFO_get1_PKEY(info.get()));
  REQUIRE(pkey);
  return pkey;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

// What PEM_write_bio_PrivateKey (genpkey -out, pkey -out) writes; "" on failure.
std::string write_private_pem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return "";
  return bio_text(bio.get());
}

// Every output an encoder may give for `selection` in `format`/`structure`.
std::string encode(EVP_PKEY* pkey, int selection, const char* format, const char* structure) {
  EncoderCtxPtr ectx(OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, format, structure, nullptr));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!ectx || OSSL_ENCODER_to_bio(ectx.get(), bio.get()) != 1) return "";
  return bio_text(bio.get());
}

}  // namespace

TEST_CASE("a chip key is written as a key reference naming chip, id, curve, point", "[encoder]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0104, maxq::wire::Curve::P384);
  PkeyPtr key = load_chip_key(cp.ctx(), 0x0104);
  auto before = cp.counters();
  ERR_clear_error();
  std::string pem = write_private_pem(key.get());
  std::string errors = drain_errors();
  INFO(errors);
  REQUIRE_FALSE(pem.empty());
  CHECK(errors.empty());
  CHECK((cp.counters() - before).total_commands() == 0);  // all cached in the key
  CHECK_THAT(pem, !Catch::Contains("PRIVATE KEY"));
  auto ref = maxq::provider::decode_key_reference_pem(pem);
  REQUIRE(ref);
  CHECK(ref->serial == cp.chip.provisioned.serial);
  CHECK(ref->object_id == 0x0104);
  CHECK(ref->curve.curve == maxq::wire::Curve::P384);
  Bytes point = xy;
  point.insert(point.begin(), 0x04);
  CHECK(ref->public_point == point);
  // The encoder behind it, asked directly, gives the same file.
  CHECK(encode(key.get(), EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo") == pem);
}

TEST_CASE("no encoding of a chip key carries private key material", "[encoder]") {
  ChipAndProvider cp;
  cp.make_chip_key(0x0101);
  PkeyPtr key = load_chip_key(cp.ctx(), 0x0101);
  // DER private key (i2d_PrivateKey, pkey -outform DER): the reference's DER
  // body, as in the PEM file.
  auto ref = maxq::provider::decode_key_reference_pem(write_private_pem(key.get()));
  REQUIRE(ref);
  const Bytes body = maxq::provider::encode_key_reference_body(*ref);
  ERR_clear_error();
  unsigned char* der = nullptr;
  int der_len = i2d_PrivateKey(key.get(), &der);
  REQUIRE(der_len > 0);
  CHECK(Bytes(der, der + der_len) == body);
  OPENSSL_free(der);
  // A success leaves nothing on the error queue (a later SSL_get_error in the
  // thread would read it).
  CHECK(drain_errors().empty());
  // Type-specific DER (asked first by i2d_PrivateKey): the reference too.
  std::string type_specific = encode(key.get(), EVP_PKEY_KEYPAIR, "DER", "type-specific");
  CHECK(Bytes(type_specific.begin(), type_specific.end()) == body);
  // DER PrivateKeyInfo alone is what PKCS#8 and PKCS#12 are made of: refused,
  // saying why and what to do.
  ERR_clear_error();
  CHECK(encode(key.get(), EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo").empty());
  CHECK_THAT(drain_errors(),
             Catch::Contains("never leaves the chip") && Catch::Contains("pkcs12 -export -nokeys"));
  // The traditional PEM: refused (the legacy EC_KEY holds no private scalar
  // that can be written, see ec_export).
  CHECK(encode(key.get(), EVP_PKEY_KEYPAIR, "PEM", "type-specific").empty());
  BioPtr bio(BIO_new(BIO_s_mem()));
  CHECK(PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                             nullptr) != 1);
  CHECK(BIO_pending(bio.get()) == 0);
  drain_errors();
  // The text dump: the public half and where the key lives.
  std::string text = encode(key.get(), EVP_PKEY_KEYPAIR, "TEXT", nullptr);
  CHECK_THAT(text, !Catch::Contains("priv"));
  CHECK_THAT(text, Catch::Contains("pub:") && Catch::Contains("object 0x0101 on the chip"));
  // The legacy EC_KEY (Ruby, Node) has the public half and says "private"
  // without holding the key.
  ERR_clear_error();
  const EC_KEY* ec = EVP_PKEY_get0_EC_KEY(key.get());
  REQUIRE(ec != nullptr);
  CHECK(EC_KEY_get0_public_key(ec) != nullptr);
  CHECK(EC_KEY_get0_private_key(ec) != nullptr);
  CHECK(EC_KEY_check_key(ec) != 1);
  unsigned char* scalar = nullptr;
  CHECK(EC_KEY_priv2buf(ec, &scalar) == 0);
  OPENSSL_free(scalar);
  drain_errors();
  // The public half is ordinary SubjectPublicKeyInfo.
  std::string pub = encode(key.get(), EVP_PKEY_PUBLIC_KEY, "PEM", "SubjectPublicKeyInfo");
  CHECK_THAT(pub, Catch::StartsWith("-----BEGIN PUBLIC KEY-----"));
}

TEST_CASE("software keys are left to OpenSSL's own encoders", "[encoder]") {
  ChipAndProvider cp;
  PkeyPtr soft(EVP_PKEY_Q_keygen(cp.ctx(), "provider=default", "EC", "P-256"));
  REQUIRE(soft);
  std::string pem = write_private_pem(soft.get());
  CHECK_THAT(pem, Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
  CHECK(drain_errors().empty());
}
