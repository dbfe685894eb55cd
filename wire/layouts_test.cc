// Round trips and refusals of the payload layouts shared by host and chip.
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include "wire/certificate_layout.h"
#include "wire/key_layout.h"
#include "wire/object_layout.h"
#include "wire/openssl_handles.h"
#include "wire/status_layout.h"

using namespace maxq;
using namespace maxq::wire;

TEST_CASE("get status is 93 bytes with big-endian memory sizes", "[layouts]") {
  StatusPayload s;
  s.lifecycle = 5;
  s.free_memory = 0x1234;
  s.total_memory = 0x8000;
  s.config = default_config_block();
  Bytes b = encode_status(s);
  REQUIRE(b.size() == 93);
  CHECK(b[44] == 5);
  CHECK(b[45] == 0x12);
  CHECK(b[46] == 0x34);
  CHECK(b[47] == 0x80);
  CHECK(config_word(ByteView(b).subview(49, kConfigBlockBytes), kConfigSecPolicyNeedHost) ==
        kConfigDisabled);
  CHECK(b[49 + kConfigSecPolicyNeedHost] == 0x55);  // low byte first
  CHECK(decode_status(b).total_memory == 0x8000);
  b.pop_back();
  CHECK_THROWS_AS(decode_status(b), MalformedPayload);
}

TEST_CASE("object records are 21 bytes for keys and 16 for data", "[layouts]") {
  ObjectRecord r;
  r.id = 0x0101;
  r.type = static_cast<uint8_t>(ObjectType::KeyPair);
  r.properties = 2;
  r.length = 96;
  r.key = KeyPolicy{3, 1, 7, 0xFF, 0};
  Bytes key = encode_object_record(r);
  CHECK(key.size() == kKeyObjectRecordBytes);
  CHECK(decode_object_record(key).key->algorithm1 == 7);
  r.type = static_cast<uint8_t>(ObjectType::Data);
  Bytes data = encode_object_record(r);
  CHECK(data.size() == kObjectRecordBytes);
  CHECK_FALSE(decode_object_record(data).key.has_value());
  CHECK_THROWS_AS(decode_object_record(key.size() > 16 ? ByteView(key).subview(0, 20) : key),
                  MalformedPayload);
  CHECK(decode_id_list(encode_id_list({0x0101, 0x1000})) == std::vector<uint16_t>{0x0101, 0x1000});
  CHECK_THROWS_AS(decode_id_list(Bytes{1, 2, 3}), MalformedPayload);
}

TEST_CASE("key descriptor lengths are little-endian and must match the material", "[layouts]") {
  KeyDescriptor d;
  d.curve = 1;
  d.component_length = 48;
  Bytes material(96, 0xAB);
  Bytes b = encode_key_descriptor(d, material);
  CHECK(b[2] == 48);
  CHECK(b[3] == 0);
  CHECK(b[4] == 96);
  CHECK(b[5] == 0);
  ByteView m;
  CHECK(decode_key_descriptor(b, m).total_length == 96);
  CHECK(m.size() == 96);
  b.pop_back();
  CHECK_THROWS_AS(decode_key_descriptor(b, m), MalformedPayload);
}

TEST_CASE("host digests become the ECDSA integer in field-size bytes", "[layouts]") {
  const CurveInfo p256 = *curve_info(Curve::P256);
  const CurveInfo p384 = *curve_info(Curve::P384);
  const CurveInfo p521 = *curve_info(Curve::P521);
  Bytes sha256(32, 0x11), sha512(64, 0x22);
  CHECK(ecdsa_field_digest(p256, sha256) == sha256);
  Bytes padded = ecdsa_field_digest(p384, sha256);  // left-padded
  CHECK(padded.size() == 48);
  CHECK(Bytes(padded.begin(), padded.begin() + 16) == Bytes(16, 0));
  CHECK(Bytes(padded.begin() + 16, padded.end()) == sha256);
  CHECK(ecdsa_field_digest(p256, sha512) == Bytes(32, 0x22));  // leftmost bytes
  Bytes p521_digest = ecdsa_field_digest(p521, sha512);
  CHECK(p521_digest.size() == 66);
  CHECK(Bytes(p521_digest.begin() + 2, p521_digest.end()) == sha512);
  // 66 bytes of 0xFF: the leftmost 521 bits, i.e. shifted right by 7.
  Bytes wide = ecdsa_field_digest(p521, Bytes(70, 0xFF));
  CHECK(wide[0] == 0x01);
  CHECK(wide[65] == 0xFF);
  CHECK(ecdsa_field_digest(p256, Bytes(20, 0x33)).size() == 32);
}

TEST_CASE("certificate header locates the key and the TBS in the DER", "[layouts]") {
  ossl::PkeyPtr key(EVP_EC_gen("prime256v1"));
  REQUIRE(key);
  ossl::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("device"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_set_pubkey(cert.get(), key.get());
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  unsigned char* der = nullptr;
  int n = i2d_X509(cert.get(), &der);
  Bytes bytes(der, der + n);
  OPENSSL_free(der);

  auto h = certificate_header_for(bytes, *curve_info(Curve::P256), kKeyImportKeyId);
  REQUIRE(h);
  CHECK(h->tbs_offset == 4);
  CHECK(h->signature_algorithm == static_cast<uint8_t>(Algorithm::EcdsaSha256));
  CHECK(h->der_length == bytes.size());
  unsigned char point[65];
  size_t point_len = 0;
  REQUIRE(EVP_PKEY_get_octet_string_param(key.get(), "pub", point, sizeof point, &point_len));
  CHECK(Bytes(bytes.begin() + h->public_key_offset, bytes.begin() + h->public_key_offset + 65) ==
        Bytes(point, point + point_len));
  Bytes request = encode_certificate_request(*h, bytes);
  CHECK(request.size() == kCertificateHeaderBytes + bytes.size());
  CertificateHeader back = decode_certificate_header(request);
  CHECK(back.public_key_offset == h->public_key_offset);
  CHECK(back.tbs_length == h->tbs_length);
  CHECK(back.parent_id == kKeyImportKeyId);
  // Not a certificate of that curve / not a certificate at all.
  CHECK_FALSE(certificate_header_for(bytes, *curve_info(Curve::P384), kKeyImportKeyId));
  bytes.pop_back();
  CHECK_FALSE(certificate_parts(bytes));
  CHECK_FALSE(certificate_parts(Bytes{0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF}));
}
