// Certificates on the chip the public way (§4.14, §4.9): import root
// certificate with the 24-byte header, signed by the key-import key, and read
// back as header and DER. Part of the Device suite (every link).
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>
#include <memory>

#include "test/support/software_ec.h"
#include "test/support/temp_chip.h"
#include "transport/device.h"
#include "wire/certificate_layout.h"

using namespace maxq;
using maxq::testing::TempChip;
using transport::ObjectSpec;

namespace {

struct Ossl {
  std::unique_ptr<OSSL_LIB_CTX, decltype(&OSSL_LIB_CTX_free)> ctx{OSSL_LIB_CTX_new(),
                                                                  OSSL_LIB_CTX_free};
  std::unique_ptr<OSSL_PROVIDER, decltype(&OSSL_PROVIDER_unload)> prov{
      OSSL_PROVIDER_load(ctx.get(), "default"), OSSL_PROVIDER_unload};
  using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
  Pkey ec(wire::Curve curve) const {
    std::string group(wire::curve_info(curve)->sn);
    return Pkey(EVP_PKEY_Q_keygen(ctx.get(), nullptr, "EC", group.c_str()), EVP_PKEY_free);
  }
  Pkey rsa() const {
    return Pkey(EVP_PKEY_Q_keygen(ctx.get(), nullptr, "RSA", size_t{1024}), EVP_PKEY_free);
  }
  // A self-signed X.509 v3 certificate of `key`, as DER.
  Bytes certificate(EVP_PKEY* key) const {
    std::unique_ptr<X509, decltype(&X509_free)> x(X509_new_ex(ctx.get(), nullptr), X509_free);
    REQUIRE(x);
    REQUIRE(X509_set_version(x.get(), 2) == 1);
    REQUIRE(ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 4711) == 1);
    REQUIRE(X509_gmtime_adj(X509_getm_notBefore(x.get()), 0));
    REQUIRE(X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400));
    X509_NAME* name = X509_get_subject_name(x.get());
    REQUIRE(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                       reinterpret_cast<const unsigned char*>("maxq1061 test"), -1,
                                       -1, 0) == 1);
    REQUIRE(X509_set_issuer_name(x.get(), name) == 1);
    REQUIRE(X509_set_pubkey(x.get(), key) == 1);
    REQUIRE(X509_sign(x.get(), key, EVP_sha256()) > 0);
    unsigned char* der = nullptr;
    int n = i2d_X509(x.get(), &der);
    REQUIRE(n > 0);
    Bytes out(der, der + n);
    OPENSSL_free(der);
    return out;
  }
};

uint16_t le16(const Bytes& b, size_t at) {
  return static_cast<uint16_t>(b.at(at) | b.at(at + 1) << 8);
}

}  // namespace

TEST_CASE("an X.509 certificate round trips through import root certificate and read",
          "[device][cert]") {
  auto curve = GENERATE(wire::Curve::P256, wire::Curve::P384);
  const size_t field = wire::curve_info(curve)->field_bytes;
  Ossl o;
  auto key = o.ec(curve);
  const Bytes der = o.certificate(key.get());
  const Bytes key_xy = maxq::testing::SoftwareEc::public_xy(key.get());
  TempChip t;
  auto dev = t.open_device();
  dev->as_admin(t.admin(), [&] {
    dev->create_object(ObjectSpec::certificate(0x0201, 1024));
    dev->import_certificate(0x0201, der, t.key_import());
  });

  auto reader = t.open_device();  // everyone reads certificates
  CHECK(reader->read_certificate(0x0201) == der);
  // The object holds the 24-byte header (16-bit fields little-endian), then the DER.
  Bytes head = reader->read_object(0x0201, 0, wire::kCertificateHeaderBytes);
  REQUIRE(head.size() == 24);
  CHECK(head[0] == static_cast<uint8_t>(wire::KeyType::Ecc));
  CHECK(head[1] == static_cast<uint8_t>(curve));
  CHECK(le16(head, 2) == field);
  CHECK(le16(head, 4) == 2 * field);
  const size_t key_at = le16(head, 6);
  REQUIRE(key_at + 1 + 2 * field <= der.size());
  CHECK(der[key_at] == 0x04);
  CHECK(Bytes(der.begin() + static_cast<long>(key_at) + 1,
              der.begin() + static_cast<long>(key_at + 1 + 2 * field)) == key_xy);
  CHECK(le16(head, 8) == 4);  // TBS after the outer SEQUENCE's tag and 2-byte length
  CHECK(le16(head, 12) == der.size());
  CHECK(le16(head, 14) == wire::kKeyImportKeyId);
  CHECK(le16(head, 16) == 0);
  CHECK(head[18] == static_cast<uint8_t>(wire::Algorithm::EcdsaSha256));
  CHECK(head[19] == 0);
  CHECK(reader->read_object(0x0201, 24, 16) == Bytes(der.begin(), der.begin() + 16));
  transport::ObjectInfo info = reader->object_info(0x0201);
  CHECK(info.type == wire::ObjectType::Certificate);
  CHECK(info.initialised);
  REQUIRE(info.key);
  CHECK(info.key->key_type == static_cast<uint8_t>(wire::KeyType::Ecc));
}

TEST_CASE("certificates the chip cannot hold are refused before anything is sent",
          "[device][cert]") {
  Ossl o;
  TempChip t;
  auto dev = t.open_device();
  sim::Chip& chip = TempChip::chip_of(*dev);
  auto before = chip.counters().snapshot();
  auto rsa = o.rsa();
  CHECK_THROWS_WITH(dev->import_certificate(0x0201, o.certificate(rsa.get()), t.key_import()),
                    Catch::Contains("import certificate into 0x0201") &&
                        Catch::Contains("not an uncompressed EC point") &&
                        Catch::Contains("P-256"));
  CHECK_THROWS_WITH(
      dev->import_certificate(0x0201, Bytes{0x30, 0x03, 0x02, 0x01, 0x01}, t.key_import()),
      Catch::Contains("not a DER X.509 certificate"));
  CHECK((chip.counters().snapshot() - before).total_commands() == 0);
}

TEST_CASE("a certificate import needs the key-import key and room in the object",
          "[device][cert]") {
  Ossl o;
  auto key = o.ec(wire::Curve::P256);
  const Bytes der = o.certificate(key.get());
  TempChip t, other;
  auto dev = t.open_device();
  dev->as_admin(t.admin(), [&] {
    dev->create_object(ObjectSpec::certificate(0x0201, 1024));
    dev->create_object(ObjectSpec::certificate(0x0202, 100));
    try {
      dev->import_certificate(0x0201, der, other.key_import());
      FAIL("a certificate signed with a foreign key-import key was taken");
    } catch (const transport::ChipError& e) {
      CHECK(e.status() == static_cast<uint16_t>(wire::Status::BadSignature));
      CHECK_THAT(e.what(), Catch::Contains("import certificate into 0x0201") &&
                               Catch::Contains("key-import-key"));
    }
    try {
      dev->import_certificate(0x0202, der, t.key_import());
      FAIL("a certificate larger than its object was taken");
    } catch (const transport::ChipError& e) {
      CHECK(e.status() == static_cast<uint16_t>(wire::Status::OutOfBounds));
    }
  });
  CHECK_FALSE(dev->object_info(0x0201).initialised);
}
