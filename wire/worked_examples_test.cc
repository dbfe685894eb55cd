// The worked examples of docs/maxq106x-protocol.md §7, byte for byte: each
// request is built with the layout encoders the host uses and the chip model
// decodes, then framed with the frame codec.
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "wire/admin_layout.h"
#include "wire/frame_codec.h"
#include "wire/key_layout.h"
#include "wire/object_layout.h"
#include "wire/openssl_handles.h"

using namespace maxq;
using namespace maxq::wire;

namespace {

Bytes hex(const std::string& s) {
  std::istringstream in(s);
  Bytes out;
  std::string byte;
  while (in >> byte) out.push_back(static_cast<uint8_t>(std::stoul(byte, nullptr, 16)));
  return out;
}

Bytes counting(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

// The SDK demo key (§5.5), public part: what the worked signatures verify under.
const char* kDemoX = "d09731c763c09ee39ab4d0cea789ab52c8803a917729c3a0792ee6618b2d5370";
const char* kDemoY = "cca462d54a4774ea22faa9d4954eca327088d6eb5824a3c5bf29dcfde5de8f48";

Bytes unhex(const char* s) {
  Bytes out;
  for (size_t i = 0; s[i] && s[i + 1]; i += 2)
    out.push_back(static_cast<uint8_t>(std::stoul(std::string(s + i, 2), nullptr, 16)));
  return out;
}

// ECDSA-P256-SHA256 verify of a raw r||s over `message` with the demo key.
bool demo_key_verifies(ByteView message, ByteView raw_signature) {
  Bytes point{0x04};
  Bytes x = unhex(kDemoX), y = unhex(kDemoY);
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  ossl::PkeyCtxPtr from(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  char group[] = "prime256v1";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("group", group, 0),
                         OSSL_PARAM_construct_octet_string("pub", point.data(), point.size()),
                         OSSL_PARAM_END};
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata_init(from.get()) != 1 ||
      EVP_PKEY_fromdata(from.get(), &raw, EVP_PKEY_PUBLIC_KEY, params) != 1)
    return false;
  ossl::PkeyPtr key(raw);
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw_signature.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(raw_signature.data() + 32, 32, nullptr);
  ECDSA_SIG_set0(sig.get(), r, s);
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  ossl::MdCtxPtr md(EVP_MD_CTX_new());
  int ok = EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
           EVP_DigestVerify(md.get(), der, static_cast<size_t>(der_len), message.data(),
                            message.size()) == 1;
  OPENSSL_free(der);
  return ok;
}

}  // namespace

TEST_CASE("ping frames are the published ones", "[worked-examples]") {
  CHECK(encode_command(Command::Ping, counting(4)) == hex("AA 00 F7 00 04 00 01 02 03 E1 09"));
  CHECK(encode_response(Status::Ok, counting(4)) == hex("55 00 00 00 04 00 01 02 03 22 32"));
}

TEST_CASE("sign request with the u16 reserved field", "[worked-examples]") {
  SignRequest q;
  q.mode = kModeSign;
  q.algorithm = static_cast<uint8_t>(Algorithm::EcdsaDigest);
  q.key_id = 0x0101;
  q.data = counting(32);
  Bytes frame = encode_command(Command::SignVerify, encode_sign_request(q));
  CHECK(frame == hex("AA 00 C8 00 2A 02 08 01 01 00 00 00 20 "
                     "00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F "
                     "10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 00 00 10 EE"));
  q.algorithm = static_cast<uint8_t>(Algorithm::EcdsaSha256);
  Bytes on_chip_hash = encode_command(Command::SignVerify, encode_sign_request(q));
  CHECK(Bytes(on_chip_hash.end() - 4, on_chip_hash.end()) == hex("00 00 1D D4"));
}

TEST_CASE("get challenge, list objects and get status requests", "[worked-examples]") {
  CHECK(encode_command(Command::GetChallenge, encode_challenge_request(16)) ==
        hex("AA 00 C7 00 02 00 10 1F D7"));
  CHECK(encode_command(Command::GetChallenge, encode_challenge_request(32)) ==
        hex("AA 00 C7 00 02 00 20 1F C3"));
  CHECK(encode_command(Command::ListObjects, encode_list_all_ids()) ==
        hex("AA 00 15 00 01 01 DC 56"));
  CHECK(encode_command(Command::ListObjects, encode_list_details(0x1000)) ==
        hex("AA 00 15 00 03 00 10 00 85 46"));
  CHECK(encode_command(Command::ListObjects, encode_list_details(0x0101)) ==
        hex("AA 00 15 00 03 00 01 01 48 D6"));
  CHECK(encode_command(Command::GetStatus, {}) == hex("AA 00 F2 00 00 B9 EB"));
}

TEST_CASE("create object with the public role bits and capacity", "[worked-examples]") {
  const Lifecycle states[] = {Lifecycle::Delivery, Lifecycle::Initialized, Lifecycle::Operational};
  const Operation ops[] = {Operation::Read, Operation::Write, Operation::Delete,
                           Operation::Generate, Operation::Execute};
  CreateObjectRequest r;
  r.id = 0x0101;
  r.type = static_cast<uint8_t>(ObjectType::KeyPair);
  r.properties = static_cast<uint8_t>(ObjectProperty::Persistent);
  r.length =
      static_cast<uint16_t>(key_object_capacity(ObjectType::KeyPair, *curve_info(Curve::P256)));
  // ahs=rwdgx in all three states
  for (Lifecycle s : states)
    for (Operation op : ops)
      set_rule_roles(r.rules, s, op, kRoleAdmin | kRoleHost | kRoleSecureBoot);
  CHECK(encode_command(Command::CreateObject, encode_create_object(r)) ==
        hex("AA 00 10 00 13 01 01 03 02 EE EE 0E EE EE 0E EE EE 0E 00 60 00 00 00 00 B0 4A"));

  // a=rwdg,h=rx : a=rdg,h=rx : h=rx
  CreateObjectRequest q = r;
  std::fill(std::begin(q.rules), std::end(q.rules), 0);
  const uint8_t a = kRoleAdmin, h = kRoleHost;
  set_rule_roles(q.rules, Lifecycle::Delivery, Operation::Read, a | h);
  set_rule_roles(q.rules, Lifecycle::Delivery, Operation::Write, a);
  set_rule_roles(q.rules, Lifecycle::Delivery, Operation::Delete, a);
  set_rule_roles(q.rules, Lifecycle::Delivery, Operation::Generate, a);
  set_rule_roles(q.rules, Lifecycle::Delivery, Operation::Execute, h);
  set_rule_roles(q.rules, Lifecycle::Initialized, Operation::Read, a | h);
  set_rule_roles(q.rules, Lifecycle::Initialized, Operation::Delete, a);
  set_rule_roles(q.rules, Lifecycle::Initialized, Operation::Generate, a);
  set_rule_roles(q.rules, Lifecycle::Initialized, Operation::Execute, h);
  set_rule_roles(q.rules, Lifecycle::Operational, Operation::Read, h);
  set_rule_roles(q.rules, Lifecycle::Operational, Operation::Execute, h);
  CHECK(encode_command(Command::CreateObject, encode_create_object(q)) ==
        hex("AA 00 10 00 13 01 01 03 02 2A 22 08 0A 22 08 08 00 08 00 60 00 00 00 00 EA CE"));
  CHECK(decode_create_object(encode_create_object(q)).length == 96);
}

TEST_CASE("key generation through a signed import request", "[worked-examples]") {
  KeyDescriptor d;
  d.curve = static_cast<uint8_t>(Curve::P256);
  d.component_length = 32;
  d.usage1 = static_cast<uint8_t>(KeyUsage::DataSignature);
  d.algorithm1 = static_cast<uint8_t>(Algorithm::EcdsaSha256);
  Bytes descriptor = encode_key_descriptor(d, {});
  REQUIRE(descriptor == hex("03 00 20 00 00 00 01 0A FF 00"));
  Bytes digest(SHA256_DIGEST_LENGTH);
  SHA256(descriptor.data(), descriptor.size(), digest.data());
  CHECK(to_hex(digest) == "17476d489a7676a6a26e1bd09179785323f3b55d25ec3894984d8b76e569d077");

  SignedImport s;
  s.object_id = 0x0101;
  s.body = descriptor;
  s.signature = hex(
      "CB F8 9D 48 58 E3 6F 77 4A 74 62 1C C2 B7 C2 66 EA 7D 6D 19 56 9F 2A FC 52 3C 01 AE 7F 75 "
      "5B 7A 81 D1 06 B7 AC F6 15 8E 91 4D F1 AD 69 EA 85 CF 2D 39 34 07 7A AB 2C 78 E6 83 54 C5 "
      "66 10 6F 78");
  CHECK(demo_key_verifies(descriptor, s.signature));  // what is signed: exactly the descriptor
  Bytes frame = encode_command(Command::ImportKey, encode_signed_import(s));
  CHECK(frame == hex("AA 00 CA 00 54 01 0A 10 00 01 01 00 0A 03 00 20 00 00 00 01 0A FF 00 00 40 "
                     "CB F8 9D 48 58 E3 6F 77 4A 74 62 1C C2 B7 C2 66 EA 7D 6D 19 56 9F 2A FC 52 "
                     "3C 01 AE 7F 75 5B 7A 81 D1 06 B7 AC F6 15 8E 91 4D F1 AD 69 EA 85 CF 2D 39 "
                     "34 07 7A AB 2C 78 E6 83 54 C5 66 10 6F 78 AE 8C"));
  SignedImport back = decode_signed_import(encode_signed_import(s), "import key");
  ByteView material;
  KeyDescriptor d2 = decode_key_descriptor(back.body, material);
  CHECK(d2.total_length == 0);
  CHECK(material.empty());
  CHECK(back.verify_key_id == kKeyImportKeyId);
}

TEST_CASE("admin authenticate and admin reset", "[worked-examples]") {
  AdminLogin login;
  login.signature = hex(
      "A7 F1 5C F3 FE A0 90 AE C5 B9 2D 5A B8 17 38 BE 14 DA 8E D1 AE 89 84 28 70 C7 97 37 65 61 "
      "51 29 95 70 E9 7C D1 42 FC AA 71 A7 8E CF FE 6B 36 0F CE 0B B9 6E 0C C8 20 A5 65 66 A4 3F "
      "1A 02 5A E5");
  CHECK(demo_key_verifies(counting(16), login.signature));  // SHA-256 over the 16-byte challenge
  CHECK(encode_command(Command::AdminAuthenticate, encode_admin_login(login)) ==
        hex("AA 00 C2 00 4A 01 0A 10 01 00 00 00 00 00 40 "
            "A7 F1 5C F3 FE A0 90 AE C5 B9 2D 5A B8 17 38 BE 14 DA 8E D1 AE 89 84 28 70 C7 97 37 "
            "65 61 51 29 95 70 E9 7C D1 42 FC AA 71 A7 8E CF FE 6B 36 0F CE 0B B9 6E 0C C8 20 A5 "
            "65 66 A4 3F 1A 02 5A E5 FE 8C"));
  CHECK(encode_command(Command::AdminAuthenticate, encode_admin_reset()) ==
        hex("AA 00 C2 00 01 03 64 23"));
  AdminCommand c = decode_admin_command(encode_admin_login(login));
  CHECK(c.pass == kPassFirst);
  CHECK(c.login.reserved_zero);
  CHECK(c.login.key_id == kAdminKeyId);
  CHECK(decode_admin_command(encode_admin_reset()).pass == kPassClose);
}

TEST_CASE("error answers", "[worked-examples]") {
  CHECK(encode_response(Status::NotFound, {}) == hex("55 00 04 00 00 4D CD"));
  CHECK(encode_response(Status::AccessDenied, {}) == hex("55 20 01 00 00 56 0C"));
}
