// Import root certificate 0xCB: a 24-byte header and the DER, signed by the
// key-import key, stored whole and read back by read object.
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include "simulator/sim_test_support.h"
#include "wire/certificate_layout.h"
#include "wire/key_layout.h"
#include "wire/object_layout.h"

using namespace maxq;
using namespace maxq::sim::testing;
using wire::Command;
using wire::Curve;
using wire::ObjectProperty;
using wire::ObjectType;
using wire::Status;

namespace {

// A self-signed certificate for a fresh key of `curve`, as DER.
Bytes self_signed(Curve curve) {
  std::string group(wire::curve_info(curve)->sn);
  ossl::PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group.c_str()));
  ossl::X509Ptr x(X509_new());
  REQUIRE((key && x));
  X509_set_version(x.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1061);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("maxq root"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509_set_pubkey(x.get(), key.get());
  REQUIRE(X509_sign(x.get(), key.get(), EVP_sha256()) > 0);
  unsigned char* der = nullptr;
  int len = i2d_X509(x.get(), &der);
  REQUIRE(len > 0);
  ossl::BytesPtr owner(der);
  return Bytes(der, der + len);
}

// The 24-byte header for `der` (built field by field from the DER walk).
Bytes request_for(const Bytes& der, Curve curve) {
  auto parts = wire::certificate_parts(der);
  REQUIRE(parts);
  const size_t n = field_bytes(curve);
  wire::CertificateHeader h;
  h.curve = static_cast<uint8_t>(curve);
  h.component_length = static_cast<uint16_t>(n);
  h.public_key_length = static_cast<uint16_t>(2 * n);
  h.public_key_offset = static_cast<uint16_t>(parts->public_key_offset);
  h.tbs_offset = static_cast<uint16_t>(parts->tbs_offset);
  h.tbs_length = static_cast<uint16_t>(parts->tbs_length);
  h.der_length = static_cast<uint16_t>(parts->der_length);
  h.parent_id = wire::kKeyImportKeyId;
  h.signature_algorithm = static_cast<uint8_t>(wire::Algorithm::EcdsaSha256);
  h.usage1 = static_cast<uint8_t>(wire::KeyUsage::VerifyKeyOrCertificate);
  h.algorithm1 = static_cast<uint8_t>(wire::Algorithm::EcdsaAnySha);
  return wire::encode_certificate_request(h, der);
}

struct CertChip {
  ProvisionedChip t;
  Host host{t.open()};
  RefCrypto ref;
  CertChip() {
    REQUIRE(host.authenticate(t.admin_key) == 0);
    REQUIRE(host.status(Command::CreateObject,
                        payload::create(0x1003, ObjectType::Certificate, ObjectProperty::Persistent,
                                        admin_managed_rules(), 1200)) == 0);
  }
  uint16_t import(uint16_t id, const Bytes& body) {
    return host.status(
        Command::ImportRootCert,
        payload::signed_import(id, body, ref.sign_sha256(host.key_import_pem(), body)));
  }
};

}  // namespace

TEST_CASE("a signed certificate request is stored and reads back whole", "[commands][certs]") {
  Curve curve = GENERATE(Curve::P256, Curve::P384, Curve::P521);
  CertChip c;
  Host& h = c.host;
  Bytes der = self_signed(curve);
  Bytes body = request_for(der, curve);
  CHECK(h.status(Command::ReadObject, payload::read(0x1003, 0, 0)) == st(Status::ObjectEmpty));
  wire::ResponseFrame r =
      h.send(Command::ImportRootCert,
             payload::signed_import(0x1003, body, c.ref.sign_sha256(h.key_import_pem(), body)));
  CHECK(r.status == 0);
  CHECK(r.payload.empty());
  CHECK(h.ok(Command::ReadObject, payload::read(0x1003, 0, 0)) == body);
  // The DER from offset 24, as the SDK's integrations read it.
  CHECK(h.ok(Command::ReadObject, payload::read(0x1003, 24, 0)) == der);
  wire::ObjectRecord rec =
      wire::decode_object_record(h.ok(Command::ListObjects, wire::encode_list_details(0x1003)));
  CHECK(rec.state == wire::kObjectStateInitialised);
  REQUIRE(rec.key);
  CHECK(rec.key->key_type == static_cast<uint8_t>(wire::KeyType::Ecc));
  CHECK(rec.key->usage1 == static_cast<uint8_t>(wire::KeyUsage::VerifyKeyOrCertificate));
  CHECK(rec.key->algorithm1 == static_cast<uint8_t>(wire::Algorithm::EcdsaAnySha));
  // It persists.
  Host later(c.t.open());
  CHECK(later.ok(Command::ReadObject, payload::read(0x1003, 0, 0)) == body);
}

TEST_CASE("import root certificate refuses unsigned, inconsistent or misplaced requests",
          "[commands][certs]") {
  CertChip c;
  Host& h = c.host;
  Bytes der = self_signed(Curve::P256);
  Bytes body = request_for(der, Curve::P256);
  auto edited = [&](size_t at, uint8_t v) {
    Bytes b = body;
    b[at] = v;
    return b;
  };
  // Signatures: by the admin key, over other bytes.
  CHECK(h.status(Command::ImportRootCert,
                 payload::signed_import(0x1003, body, c.ref.sign_sha256(h.admin_pem(), body))) ==
        st(Status::BadSignature));
  CHECK(h.status(Command::ImportRootCert,
                 payload::signed_import(0x1003, edited(30, body[30] ^ 1),
                                        c.ref.sign_sha256(h.key_import_pem(), body))) ==
        st(Status::BadSignature));
  // Header against DER (MODELLED: ConsistencyError).
  CHECK(c.import(0x1003, edited(0, 0x01)) == st(Status::BadKeyType));
  CHECK(c.import(0x1003, edited(1, 0x09)) == st(Status::CurveNotSupported));
  CHECK(c.import(0x1003, edited(1, 0x01)) == st(Status::ConsistencyError));           // P-384 sizes
  CHECK(c.import(0x1003, edited(6, body[6] + 1)) == st(Status::ConsistencyError));    // key offset
  CHECK(c.import(0x1003, edited(8, body[8] + 1)) == st(Status::ConsistencyError));    // TBS offset
  CHECK(c.import(0x1003, edited(10, body[10] + 1)) == st(Status::ConsistencyError));  // TBS length
  CHECK(c.import(0x1003, edited(12, body[12] + 1)) == st(Status::ConsistencyError));  // DER length
  // The point must lie on the curve.
  size_t point =
      wire::kCertificateHeaderBytes + wire::decode_certificate_header(body).public_key_offset;
  CHECK(c.import(0x1003, edited(point + 64, body[point + 64] ^ 1)) == st(Status::ConsistencyError));
  CHECK(c.import(0x1003, edited(point, 0x03)) == st(Status::ConsistencyError));
  Bytes not_der = body;
  not_der.resize(wire::kCertificateHeaderBytes + 10, 0x30);
  CHECK(c.import(0x1003, not_der) == st(Status::ConsistencyError));
  CHECK(c.import(0x1003, Bytes(10, 0)) == st(Status::WrongLength));  // shorter than the header
  // The destination.
  CHECK(c.import(0x0777, body) == st(Status::NotFound));
  REQUIRE(h.status(Command::CreateObject,
                   payload::create(0x0300, ObjectType::Data, ObjectProperty::Persistent,
                                   admin_managed_rules(), 1200)) == 0);
  CHECK(c.import(0x0300, body) == st(Status::BadParameter));
  REQUIRE(h.status(
              Command::CreateObject,
              payload::create(0x1004, ObjectType::Certificate, ObjectProperty::Persistent,
                              admin_managed_rules(), static_cast<uint16_t>(body.size() - 1))) == 0);
  CHECK(c.import(0x1004, body) == st(Status::OutOfBounds));
  Host plain(c.t.open());
  CHECK(plain.status(
            Command::ImportRootCert,
            payload::signed_import(0x1003, body, c.ref.sign_sha256(h.key_import_pem(), body))) ==
        st(Status::AccessDenied));
  CHECK(h.status(Command::ReadObject, payload::read(0x1003, 0, 0)) == st(Status::ObjectEmpty));
  CHECK(c.import(0x1003, body) == 0);
  // A child certificate (0xCF) is not modelled.
  CHECK(h.status(Command::ImportChildCert, Bytes{0x10, 0x03, 0x00, 0x00}) ==
        st(Status::NotImplemented));
}
