// The key-reference decoder with the provider loaded: reference files load as
// chip keys through the calls applications make (PEM_read_bio_PrivateKey, the
// file store behind `-key ref.pem`), without chip I/O, and damaged files or
// keys of another chip are refused with clear errors.
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "provider/key_reference.h"
#include "provider/provider_io_test_support.h"
#include "wire/openssl_handles.h"

using maxq::Bytes;
using maxq::provider::encode_key_reference_pem;
using maxq::provider::KeyReference;
using maxq::testing::ChipAndProvider;
using maxq::testing::drain_errors;
using maxq::testing::PkeyPtr;
using maxq::wire::Command;

namespace {

using maxq::ossl::BioPtr;
using StorePtr = std::unique_ptr<OSSL_STORE_CTX, maxq::ossl::Deleter<OSSL_STORE_close>>;
using InfoPtr = std::unique_ptr<OSSL_STORE_INFO, maxq::ossl::Deleter<OSSL_STORE_INFO_free>>;
using maxq::ossl::MdCtxPtr;

KeyReference reference_for(const ChipAndProvider& cp, uint16_t id, const Bytes& xy) {
  KeyReference ref;
  ref.serial = cp.chip.provisioned.serial;
  ref.object_id = id;
  ref.curve = *maxq::wire::curve_info(static_cast<uint8_t>(maxq::wire::Curve::P256));
  ref.public_point = xy;
  ref.public_point.insert(ref.public_point.begin(), 0x04);
  return ref;
}

PkeyPtr read_private_pem(OSSL_LIB_CTX* ctx, const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, nullptr, nullptr, ctx, nullptr));
}

std::string write_private_pem(EVP_PKEY* pkey) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// Signs with `pkey` in `ctx`; true on success.
bool sign(OSSL_LIB_CTX* ctx, EVP_PKEY* pkey) {
  MdCtxPtr md(EVP_MD_CTX_new());
  if (EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", ctx, nullptr, pkey, nullptr) != 1)
    return false;
  const unsigned char msg[] = "message";
  unsigned char sig[80];
  size_t len = sizeof sig;
  return EVP_DigestSign(md.get(), sig, &len, msg, sizeof msg) == 1;
}

Bytes encoded_public_key(EVP_PKEY* pkey) {
  Bytes point(200);
  size_t len = 0;
  REQUIRE(EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point.data(),
                                          point.size(), &len) == 1);
  point.resize(len);
  return point;
}

}  // namespace

TEST_CASE("a reference loads as the chip key without chip I/O, and signs on the chip",
          "[decoder]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0101);
  KeyReference ref = reference_for(cp, 0x0101, xy);
  std::string pem = encode_key_reference_pem(ref);

  auto before = cp.counters();
  PkeyPtr key = read_private_pem(cp.ctx(), pem);
  INFO(drain_errors());
  REQUIRE(key);
  CHECK((cp.counters() - before).total_commands() == 0);  // not even the session open
  CHECK(EVP_PKEY_is_a(key.get(), "EC"));
  CHECK(encoded_public_key(key.get()) == ref.public_point);

  REQUIRE(sign(cp.ctx(), key.get()));
  CHECK(cp.count(Command::SignVerify, before) == 1);
  // Encoder -> decoder -> encoder gives the same file.
  CHECK(write_private_pem(key.get()) == pem);
}

TEST_CASE("a reference file loads through the file store like -key ref.pem", "[decoder]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0102);
  std::string path = cp.chip.dir.file("ref.pem");
  std::ofstream(path) << encode_key_reference_pem(reference_for(cp, 0x0102, xy));
  StorePtr store(OSSL_STORE_open_ex(path.c_str(), cp.ctx(), nullptr, nullptr, nullptr, nullptr,
                                    nullptr, nullptr));
  REQUIRE(store);
  InfoPtr info(OSSL_STORE_load(store.get()));
  INFO(drain_errors());
  REQUIRE(info);
  REQUIRE(OSSL_STORE_INFO_get_type(info.get()) == OSSL_STORE_INFO_PKEY);
  CHECK(sign(cp.ctx(), OSSL_STORE_INFO_get0_PKEY(info.get())));
}

TEST_CASE("a reference of another chip is refused where the private key is used", "[decoder]") {
  ChipAndProvider a, b;
  Bytes xy = a.make_chip_key(0x0101);
  b.make_chip_key(0x0101);  // same id on chip b: it must still not be used
  std::string pem = encode_key_reference_pem(reference_for(a, 0x0101, xy));
  PkeyPtr key = read_private_pem(b.ctx(), pem);
  INFO(drain_errors());
  REQUIRE(key);  // its public half is usable anywhere
  auto before = b.counters();
  CHECK_FALSE(sign(b.ctx(), key.get()));
  std::string errors = drain_errors();
  CHECK_THAT(errors, Catch::Contains(maxq::to_hex(maxq::ByteView(a.chip.provisioned.serial))) &&
                         Catch::Contains(maxq::to_hex(maxq::ByteView(b.chip.provisioned.serial))) &&
                         Catch::Contains("another chip"));
  CHECK(b.count(Command::SignVerify, before) == 0);
}

TEST_CASE("damaged reference files are refused with the reason", "[decoder]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0101);
  KeyReference ref = reference_for(cp, 0x0101, xy);
  std::string pem = encode_key_reference_pem(ref);

  std::string truncated = pem.substr(0, pem.find("-----END"));
  CHECK_FALSE(read_private_pem(cp.ctx(), truncated));
  CHECK_THAT(drain_errors(), Catch::Contains("malformed MAXQ1061 key reference") &&
                                 Catch::Contains("no '-----END"));

  Bytes body = maxq::provider::encode_key_reference_body(ref);
  body[8] = 9;  // version
  std::string b64(4 * ((body.size() + 2) / 3) + 1, '\0');
  b64.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                                 body.data(), static_cast<int>(body.size()))));
  std::string v9 =
      "-----BEGIN MAXQ1061 KEY REFERENCE-----\n" + b64 + "\n-----END MAXQ1061 KEY REFERENCE-----\n";
  CHECK_FALSE(read_private_pem(cp.ctx(), v9));
  CHECK_THAT(drain_errors(), Catch::Contains("version 9 is not supported"));

  KeyReference off_curve = ref;
  off_curve.public_point.back() ^= 1;
  CHECK_FALSE(read_private_pem(cp.ctx(), encode_key_reference_pem(off_curve)));
  CHECK_THAT(drain_errors(), Catch::Contains("not on prime256v1"));

  std::string garbage =
      "-----BEGIN MAXQ1061 KEY REFERENCE-----\nAAAAAAAA\n"
      "-----END MAXQ1061 KEY REFERENCE-----\n";
  CHECK_FALSE(read_private_pem(cp.ctx(), garbage));
  CHECK_THAT(drain_errors(), Catch::Contains("does not hold a key reference"));
}

TEST_CASE("other PEM files still load with the provider in the chain", "[decoder]") {
  ChipAndProvider cp;
  PkeyPtr soft(EVP_PKEY_Q_keygen(cp.ctx(), "provider=default", "EC", "P-256"));
  REQUIRE(soft);
  std::string pem = write_private_pem(soft.get());
  REQUIRE_THAT(pem, Catch::StartsWith("-----BEGIN PRIVATE KEY-----"));
  PkeyPtr back = read_private_pem(cp.ctx(), pem);
  INFO(drain_errors());
  REQUIRE(back);
  CHECK(EVP_PKEY_eq(back.get(), soft.get()) == 1);
}

// OpenSSL 3.0 instantiates every decoder named after the key type, and their
// feeders, for each certificate key it decodes: a TLS handshake decodes two.
// The reference decoder has a name of its own so that it stays out of those
// chains; only its PEM step (a "DER" decoder, fed to every DER chain) is added.
TEST_CASE("decoding a certificate's EC key does not instantiate the reference decoder",
          "[decoder]") {
  ChipAndProvider cp;
  maxq::ossl::LibCtxPtr plain(OSSL_LIB_CTX_new());
  REQUIRE(plain);
  maxq::ossl::ProviderPtr plain_default(OSSL_PROVIDER_load(plain.get(), "default"));
  REQUIRE(plain_default);
  using DecoderCtxPtr =
      std::unique_ptr<OSSL_DECODER_CTX, maxq::ossl::Deleter<OSSL_DECODER_CTX_free>>;
  auto chain_length = [](OSSL_LIB_CTX* ctx) {
    EVP_PKEY* out = nullptr;
    // What d2i_X509 does for a certificate's SubjectPublicKeyInfo.
    DecoderCtxPtr dctx(OSSL_DECODER_CTX_new_for_pkey(
        &out, "DER", "SubjectPublicKeyInfo", "id-ecPublicKey", EVP_PKEY_PUBLIC_KEY, ctx, nullptr));
    REQUIRE(dctx);
    return OSSL_DECODER_CTX_get_num_decoders(dctx.get());
  };
  int with_provider = chain_length(cp.ctx());
  int without = chain_length(plain.get());
  INFO("decoders with the provider " << with_provider << ", without " << without);
  CHECK(with_provider - without <= 1);

  // The reference decoder is still in the chains that can meet a reference file.
  Bytes xy = cp.make_chip_key(0x0101);
  PkeyPtr key = read_private_pem(cp.ctx(), encode_key_reference_pem(reference_for(cp, 0x0101, xy)));
  INFO(drain_errors());
  CHECK(key);
}

// The DER form (i2d_PrivateKey, genpkey -outform DER) read back by the calls
// that name the key type, and by those that do not.
TEST_CASE("a DER reference decodes as an EC private key, named or not", "[decoder]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0101);
  Bytes der = maxq::provider::encode_key_reference_body(reference_for(cp, 0x0101, xy));
  const unsigned char* p = der.data();
  PkeyPtr named(d2i_PrivateKey_ex(EVP_PKEY_EC, nullptr, &p, static_cast<long>(der.size()), cp.ctx(),
                                  nullptr));
  INFO(drain_errors());
  REQUIRE(named);
  CHECK(encoded_public_key(named.get()) == reference_for(cp, 0x0101, xy).public_point);
  p = der.data();
  PkeyPtr any(d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(der.size()), cp.ctx(), nullptr));
  REQUIRE(any);
  auto before = cp.counters();
  CHECK(sign(cp.ctx(), named.get()));
  CHECK(cp.count(Command::SignVerify, before) == 1);
}

TEST_CASE("a reference read as a public key gives the public half only", "[decoder]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0101);
  KeyReference ref = reference_for(cp, 0x0101, xy);
  std::string pem = encode_key_reference_pem(ref);
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr pub(PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, nullptr, nullptr, cp.ctx(), nullptr));
  INFO(drain_errors());
  REQUIRE(pub);
  CHECK(encoded_public_key(pub.get()) == ref.public_point);
  auto before = cp.counters();
  CHECK_FALSE(sign(cp.ctx(), pub.get()));
  drain_errors();
  CHECK(cp.count(Command::SignVerify, before) == 0);
}

TEST_CASE("a reference is found after other text and after other PEM blocks", "[decoder]") {
  ChipAndProvider cp;
  Bytes xy = cp.make_chip_key(0x0101);
  std::string ref = encode_key_reference_pem(reference_for(cp, 0x0101, xy));
  PkeyPtr soft(EVP_PKEY_Q_keygen(cp.ctx(), "provider=default", "EC", "P-256"));
  REQUIRE(soft);
  BioPtr pub_bio(BIO_new(BIO_s_mem()));
  REQUIRE(PEM_write_bio_PUBKEY(pub_bio.get(), soft.get()) == 1);
  char* pub_data = nullptr;
  long pub_len = BIO_get_mem_data(pub_bio.get(), &pub_data);
  std::string pub_pem(pub_data, static_cast<size_t>(pub_len));

  // 100 KB of comments first, then a public key block, then the reference:
  // the file store hands the blocks to the decoders one after the other.
  std::string path = cp.chip.dir.file("combined.pem");
  {
    std::ofstream f(path);
    for (int i = 0; i < 2000; ++i) f << "comment line " << i << " of a long preamble .........\n";
    f << pub_pem << ref;
  }
  StorePtr store(OSSL_STORE_open_ex(path.c_str(), cp.ctx(), nullptr, nullptr, nullptr, nullptr,
                                    nullptr, nullptr));
  REQUIRE(store);
  std::vector<int> types;
  for (int i = 0; i < 10 && !OSSL_STORE_eof(store.get()); ++i) {
    InfoPtr info(OSSL_STORE_load(store.get()));
    if (!info) continue;
    types.push_back(OSSL_STORE_INFO_get_type(info.get()));
    if (types.back() == OSSL_STORE_INFO_PKEY)
      CHECK(encoded_public_key(OSSL_STORE_INFO_get0_PKEY(info.get())) ==
            reference_for(cp, 0x0101, xy).public_point);
  }
  INFO(drain_errors());
  CHECK(types == std::vector<int>{OSSL_STORE_INFO_PUBKEY, OSSL_STORE_INFO_PKEY});
}
