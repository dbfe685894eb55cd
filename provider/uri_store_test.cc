// The maxq1061: store with the provider loaded: keys and certificates on a
// simulated chip by URI, and the errors for what a URI cannot give.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/store.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <catch2/catch.hpp>
#include <string>

#include "provider/provider_io_test_support.h"
#include "wire/certificate_layout.h"
#include "wire/openssl_handles.h"

using maxq::Bytes;
using maxq::testing::ChipAndProvider;
using maxq::testing::drain_errors;
using maxq::testing::PkeyPtr;
using maxq::wire::Command;

namespace {

using StorePtr = std::unique_ptr<OSSL_STORE_CTX, maxq::ossl::Deleter<OSSL_STORE_close>>;
using InfoPtr = std::unique_ptr<OSSL_STORE_INFO, maxq::ossl::Deleter<OSSL_STORE_INFO_free>>;
using maxq::ossl::MdCtxPtr;
using maxq::ossl::X509Ptr;

// The objects a URI gives (all of them, until eof); errors stay on the queue.
std::vector<InfoPtr> load_all(OSSL_LIB_CTX* ctx, const std::string& uri, int expect = 0) {
  std::vector<InfoPtr> out;
  StorePtr store(
      OSSL_STORE_open_ex(uri.c_str(), ctx, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
  if (!store) return out;
  if (expect != 0) REQUIRE(OSSL_STORE_expect(store.get(), expect) == 1);
  while (!OSSL_STORE_eof(store.get())) {
    InfoPtr info(OSSL_STORE_load(store.get()));
    if (!info) break;
    out.push_back(std::move(info));
  }
  return out;
}

Bytes encoded_public_key(EVP_PKEY* pkey) {
  Bytes point(200);
  size_t len = 0;
  REQUIRE(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                          point.size(), &len) == 1);
  point.resize(len);
  return point;
}

// A self-signed certificate made in software in `ctx`; `comment_bytes` pads it
// with an nsComment extension so it can be larger than one chip frame.
X509Ptr make_certificate(OSSL_LIB_CTX* ctx, size_t comment_bytes) {
  PkeyPtr key(EVP_PKEY_Q_keygen(ctx, "provider=default", "EC", "P-256"));
  REQUIRE(key);
  X509Ptr cert(X509_new_ex(ctx, "provider=default"));
  REQUIRE(cert);
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("chip cert"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  if (comment_bytes > 0) {
    std::string comment(comment_bytes, 'c');
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_netscape_comment,
                                              const_cast<char*>(comment.c_str()));
    REQUIRE(ext);
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  return cert;
}

Bytes der_of(X509* cert) {
  unsigned char* der = nullptr;
  int n = i2d_X509(cert, &der);
  REQUIRE(n > 0);
  Bytes out(der, der + n);
  OPENSSL_free(der);
  return out;
}

// Stores `der` in a certificate object `id` with the admin role.
void put_certificate(const ChipAndProvider& cp, uint16_t id, const Bytes& der) {
  auto dev = cp.chip.open_device();
  dev->as_admin(cp.chip.admin(), [&] {
    dev->create_object(maxq::transport::ObjectSpec::certificate(
        id, static_cast<uint16_t>(maxq::wire::kCertificateHeaderBytes + der.size())));
    dev->import_certificate(id, der, cp.chip.key_import());
  });
}

}  // namespace

TEST_CASE("a key pair loads by URI; its private half signs on the chip", "[store]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0101);
  for (const char* uri : {"maxq1061:id=0x0101", "maxq1061:id=257", "maxq1061:id=0x0101;type=key"}) {
    INFO(uri);
    auto before = cp.counters();
    auto loaded = load_all(cp.ctx(), uri);
    INFO(drain_errors());
    REQUIRE(loaded.size() == 1);
    REQUIRE(OSSL_STORE_INFO_get_type(loaded[0].get()) == OSSL_STORE_INFO_PKEY);
    // list objects + read of the public point (and get status when the session opens).
    CHECK(cp.count(Command::ListObjects, before) == 1);
    CHECK(cp.count(Command::ReadObject, before) == 1);
    EVP_PKEY* pkey = OSSL_STORE_INFO_get0_PKEY(loaded[0].get());
    CHECK(EVP_PKEY_is_a(pkey, "EC"));
    Bytes expected = xy;
    expected.insert(expected.begin(), 0x04);
    CHECK(encoded_public_key(pkey) == expected);

    before = cp.counters();
    MdCtxPtr md(EVP_MD_CTX_new());
    REQUIRE(EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", cp.ctx(), nullptr, pkey, nullptr) ==
            1);
    const unsigned char msg[] = "signed by the chip";
    unsigned char sig[80];
    size_t len = sizeof sig;
    REQUIRE(EVP_DigestSign(md.get(), sig, &len, msg, sizeof msg) == 1);
    CHECK(cp.count(Command::SignVerify, before) == 1);
  }
}

TEST_CASE("a certificate loads by URI in one read, up to the largest one import takes", "[store]") {
  ChipAndProvider cp;
  X509Ptr small = make_certificate(cp.ctx(), 0);
  X509Ptr large = make_certificate(cp.ctx(), 1500);
  Bytes small_der = der_of(small.get()), large_der = der_of(large.get());
  REQUIRE(large_der.size() > 1500);
  put_certificate(cp, 0x0201, small_der);
  put_certificate(cp, 0x0202, large_der);

  struct Case {
    const char* uri;
    X509* expected;
    uint64_t reads;
  };
  for (const Case& c : {Case{"maxq1061:id=0x0201;type=cert", small.get(), 1},
                        Case{"maxq1061:id=0x0201", small.get(), 1},
                        Case{"maxq1061:id=0x0202;type=cert", large.get(), 1}}) {
    INFO(c.uri);
    auto before = cp.counters();
    auto loaded = load_all(cp.ctx(), c.uri, OSSL_STORE_INFO_CERT);
    INFO(drain_errors());
    REQUIRE(loaded.size() == 1);
    REQUIRE(OSSL_STORE_INFO_get_type(loaded[0].get()) == OSSL_STORE_INFO_CERT);
    CHECK(X509_cmp(OSSL_STORE_INFO_get0_CERT(loaded[0].get()), c.expected) == 0);
    CHECK(cp.count(Command::ReadObject, before) == c.reads);
  }
}

TEST_CASE("a certificate too large for one import command is refused before the chip", "[store]") {
  ChipAndProvider cp;
  Bytes der = der_of(make_certificate(cp.ctx(), 5000).get());
  auto dev = cp.chip.open_device();
  CHECK_THROWS_WITH(dev->import_certificate(0x0203, der, cp.chip.key_import()),
                    Catch::Contains("more than a MAXQ1061 command takes") &&
                        Catch::Contains("smaller certificate"));
}

TEST_CASE("a public-key object loads as a public key only", "[store]") {
  ChipAndProvider cp;
  auto loaded = load_all(cp.ctx(), "maxq1061:id=0x1001");  // the admin public key
  INFO(drain_errors());
  REQUIRE(loaded.size() == 1);
  CHECK(OSSL_STORE_INFO_get_type(loaded[0].get()) == OSSL_STORE_INFO_PUBKEY);
}

TEST_CASE("an unknown id names the id and the chip", "[store]") {
  ChipAndProvider cp;
  CHECK(load_all(cp.ctx(), "maxq1061:id=0x0123").empty());
  std::string serial = maxq::to_hex(maxq::ByteView(cp.chip.provisioned.serial));
  CHECK_THAT(drain_errors(),
             Catch::Contains("no object 0x0123 on the MAXQ1061 with serial " + serial) &&
                 Catch::Contains("maxq1061-tool list"));
}

TEST_CASE("a URI whose type does not match the object is refused", "[store]") {
  ChipAndProvider cp;
  cp.make_chip_key(0x0101);
  put_certificate(cp, 0x0201, der_of(make_certificate(cp.ctx(), 0).get()));
  CHECK(load_all(cp.ctx(), "maxq1061:id=0x0101;type=cert").empty());
  CHECK_THAT(drain_errors(), Catch::Contains("is a key pair, not a certificate; load it as "
                                             "maxq1061:id=0x0101"));
  CHECK(load_all(cp.ctx(), "maxq1061:id=0x0201;type=key").empty());
  CHECK_THAT(drain_errors(), Catch::Contains("is a certificate, not a key; load it as "
                                             "maxq1061:id=0x0201;type=cert"));
}

TEST_CASE("an empty key object or certificate object is refused with a hint", "[store]") {
  ChipAndProvider cp;
  {
    auto dev = cp.chip.open_device();
    dev->as_admin(cp.chip.admin(), [&] {
      dev->create_object(maxq::transport::ObjectSpec::key_pair(0x0105, maxq::wire::Curve::P256));
      dev->create_object(maxq::transport::ObjectSpec::certificate(0x0205, 512));
    });
  }
  CHECK(load_all(cp.ctx(), "maxq1061:id=0x0105").empty());
  CHECK_THAT(drain_errors(),
             Catch::Contains("holds no key yet") && Catch::Contains("-pkeyopt id:0x0105"));
  CHECK(load_all(cp.ctx(), "maxq1061:id=0x0205").empty());
  CHECK_THAT(drain_errors(), Catch::Contains("is empty") && Catch::Contains("import-cert"));
}

TEST_CASE("malformed URIs are refused at open, without chip I/O", "[store]") {
  ChipAndProvider cp;
  auto before = cp.counters();
  for (const char* uri : {"maxq1061:id=zzz", "maxq1061:id=0x10000",
                          "maxq1061:", "maxq1061:id=0x0101;type=bogus", "maxq1061:id=0101"}) {
    INFO(uri);
    StorePtr store(
        OSSL_STORE_open_ex(uri, cp.ctx(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr));
    CHECK_FALSE(store);
    std::string errors = drain_errors();
    CHECK_THAT(errors, Catch::Contains(std::string("malformed URI '") + uri + "'") &&
                           Catch::Contains("use maxq1061:id=0x0101"));
  }
  CHECK((cp.counters() - before).total_commands() == 0);
}

TEST_CASE("an application expecting a public key gets the public half only", "[store]") {
  ChipAndProvider cp;
  cp.make_chip_key(0x0101);
  auto loaded = load_all(cp.ctx(), "maxq1061:id=0x0101", OSSL_STORE_INFO_PUBKEY);
  INFO(drain_errors());
  REQUIRE(loaded.size() == 1);
  CHECK(OSSL_STORE_INFO_get_type(loaded[0].get()) == OSSL_STORE_INFO_PUBKEY);
}
