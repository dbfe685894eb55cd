#include "simulator/sim_test_support.h"

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "simulator/state_codec.h"
#include "wire/admin_layout.h"
#include "wire/key_layout.h"
#include "wire/object_layout.h"

namespace maxq::sim::testing {

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

void write_file(const std::string& path, const Bytes& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

void edit_state(const std::string& path, const std::function<void(PersistentState&)>& edit) {
  SimCrypto crypto;
  uint64_t generation = 0;
  PersistentState s = decode_state(read_file(path), path, generation, crypto);
  edit(s);
  write_file(path, encode_state(s, generation + 1, crypto));
}

wire::ResponseFrame exchange(Chip& chip, uint8_t command, ByteView payload, size_t max_polls) {
  Bytes frame = wire::encode_command(command, payload);
  Bytes miso(frame.size());
  chip.select();
  chip.transfer(frame.data(), miso.data(), frame.size());
  uint8_t poll = wire::kPollByte, b = 0;
  for (size_t polls = 0;; ++polls) {
    if (polls == max_polls) {
      chip.deselect();
      throw std::runtime_error("the chip did not answer within " + std::to_string(max_polls) +
                               " polls");
    }
    chip.transfer(&poll, &b, 1);
    if (b == wire::kResponseSync) break;
  }
  Bytes rsp{b};
  Bytes polls(wire::kHeaderSize - 1, wire::kPollByte), header(polls.size());
  chip.transfer(polls.data(), header.data(), polls.size());
  rsp.insert(rsp.end(), header.begin(), header.end());
  size_t total = wire::frame_size_from_header(rsp);
  if (total == 0) {
    chip.deselect();
    throw std::runtime_error("response length beyond the frame limit");
  }
  Bytes pad(total - wire::kHeaderSize, wire::kPollByte), rest(pad.size());
  chip.transfer(pad.data(), rest.data(), pad.size());
  chip.deselect();
  rsp.insert(rsp.end(), rest.begin(), rest.end());
  wire::ResponseFrame out;
  wire::FrameError e = wire::decode_response(rsp, out);
  if (e != wire::FrameError::None)
    throw std::runtime_error("damaged response: " + std::string(wire::frame_error_name(e)));
  return out;
}

Bytes rules(RuleList grants) {
  uint8_t r[wire::kAccessRuleBytes] = {};
  for (auto state :
       {wire::Lifecycle::Delivery, wire::Lifecycle::Initialized, wire::Lifecycle::Operational})
    for (const auto& [op, roles] : grants) wire::set_rule_roles(r, state, op, roles);
  return Bytes(r, r + sizeof r);
}

Bytes admin_managed_rules() {
  return rules({{wire::Operation::Read, wire::kRoleAlways},
                {wire::Operation::Execute, wire::kRoleAlways},
                {wire::Operation::Write, wire::kRoleAdmin},
                {wire::Operation::Delete, wire::kRoleAdmin},
                {wire::Operation::Generate, wire::kRoleAdmin}});
}

Bytes open_rules() {
  return rules({{wire::Operation::Read, wire::kRoleAlways},
                {wire::Operation::Execute, wire::kRoleAlways},
                {wire::Operation::Write, wire::kRoleAlways},
                {wire::Operation::Delete, wire::kRoleAlways},
                {wire::Operation::Generate, wire::kRoleAlways}});
}

namespace payload {

Bytes u16(uint16_t v) {
  return wire::encode_challenge_request(v);
}

Bytes create(uint16_t id, wire::ObjectType type, wire::ObjectProperty property, ByteView rules,
             uint16_t length) {
  wire::CreateObjectRequest r;
  r.id = id;
  r.type = static_cast<uint8_t>(type);
  r.properties = static_cast<uint8_t>(property);
  if (rules.size() != wire::kAccessRuleBytes) throw std::logic_error("test: rules are 9 bytes");
  std::copy(rules.begin(), rules.end(), r.rules);
  r.length = length;
  return wire::encode_create_object(r);
}

Bytes read(uint16_t id, uint16_t offset, uint16_t length) {
  return wire::encode_read_object({id, offset, length});
}

Bytes write(uint16_t id, uint16_t offset, ByteView data) {
  return wire::encode_write_object(id, offset, data);
}

Bytes sign_verify(uint8_t mode, wire::Algorithm alg, uint16_t id, ByteView data,
                  ByteView signature) {
  wire::SignRequest q;
  q.mode = mode;
  q.algorithm = static_cast<uint8_t>(alg);
  q.key_id = id;
  q.data = data.to_bytes();
  q.signature = signature.to_bytes();
  return wire::encode_sign_request(q);
}

Bytes key_exchange(uint16_t id, ByteView peer_xy) {
  wire::SimulatorEcdhRequest q;
  q.key_id = id;
  q.peer_point = Bytes{0x04};
  q.peer_point.insert(q.peer_point.end(), peer_xy.begin(), peer_xy.end());
  return wire::encode_simulator_ecdh(q);
}

Bytes authenticate(ByteView signature, uint8_t algorithm, uint16_t key) {
  wire::AdminLogin login;
  login.algorithm = algorithm;
  login.key_id = key;
  login.signature = signature.to_bytes();
  return wire::encode_admin_login(login);
}

Bytes descriptor(wire::Curve curve, ByteView material, wire::KeyUsage usage,
                 wire::Algorithm algorithm) {
  wire::KeyDescriptor d;
  d.curve = static_cast<uint8_t>(curve);
  d.component_length = static_cast<uint16_t>(field_bytes(curve));
  d.usage1 = static_cast<uint8_t>(usage);
  d.algorithm1 = static_cast<uint8_t>(algorithm);
  return wire::encode_key_descriptor(d, material);
}

Bytes signed_import(uint16_t id, ByteView body, ByteView signature) {
  wire::SignedImport s;
  s.object_id = id;
  s.body = body.to_bytes();
  s.signature = signature.to_bytes();
  return wire::encode_signed_import(s);
}

}  // namespace payload

size_t field_bytes(wire::Curve curve) {
  return wire::curve_info(curve)->field_bytes;
}

uint16_t capacity(wire::ObjectType type, wire::Curve curve) {
  return static_cast<uint16_t>(wire::key_object_capacity(type, *wire::curve_info(curve)));
}

// ---- reference crypto -------------------------------------------------------

RefCrypto::RefCrypto() : ctx_(OSSL_LIB_CTX_new()) {
  if (ctx_) provider_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
  if (!provider_) throw std::runtime_error("test: cannot load the default provider");
}

ossl::PkeyPtr RefCrypto::generate(wire::Curve curve) {
  std::string group(wire::curve_info(static_cast<uint8_t>(curve))->sn);
  ossl::PkeyPtr key(EVP_PKEY_Q_keygen(ctx_.get(), nullptr, "EC", group.c_str()));
  if (!key) throw std::runtime_error("test: keygen failed");
  return key;
}

Bytes RefCrypto::public_xy(EVP_PKEY* key) {
  Bytes point(1 + 2 * 66);
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                       &len) ||
      point[0] != 0x04)
    throw std::runtime_error("test: cannot read a public key");
  return Bytes(point.begin() + 1, point.begin() + static_cast<std::ptrdiff_t>(len));
}

ossl::PkeyPtr RefCrypto::public_key(wire::Curve curve, ByteView xy) {
  std::string group(wire::curve_info(static_cast<uint8_t>(curve))->sn);
  Bytes point{0x04};
  point.insert(point.end(), xy.begin(), xy.end());
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx_.get(), "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0 ||
      EVP_PKEY_fromdata(pctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    return nullptr;
  return ossl::PkeyPtr(key);
}

bool RefCrypto::verify(wire::Curve curve, ByteView xy, ByteView digest, ByteView raw) {
  size_t n = field_bytes(curve);
  ossl::PkeyPtr key = public_key(curve, xy);
  if (!key || raw.size() != 2 * n) return false;
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw.data(), static_cast<int>(n), nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + n, static_cast<int>(n), nullptr);
  if (!ECDSA_SIG_set0(sig.get(), r, s)) throw std::runtime_error("test: ECDSA_SIG_set0");
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  ossl::BytesPtr owner(der);
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key.get(), nullptr));
  return der_len > 0 && EVP_PKEY_verify_init(pctx.get()) > 0 &&
         EVP_PKEY_verify(pctx.get(), der, static_cast<size_t>(der_len), digest.data(),
                         digest.size()) == 1;
}

Bytes RefCrypto::ecdh(EVP_PKEY* own, EVP_PKEY* peer) {
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), own, nullptr));
  size_t len = 0;
  if (EVP_PKEY_derive_init(pctx.get()) <= 0 || EVP_PKEY_derive_set_peer(pctx.get(), peer) <= 0 ||
      EVP_PKEY_derive(pctx.get(), nullptr, &len) <= 0)
    throw std::runtime_error("test: ECDH setup");
  Bytes secret(len);
  if (EVP_PKEY_derive(pctx.get(), secret.data(), &len) <= 0) throw std::runtime_error("test: ECDH");
  secret.resize(len);
  return secret;
}

Bytes RefCrypto::digest(const char* name, ByteView data) {
  ossl::MdPtr md(EVP_MD_fetch(ctx_.get(), name, nullptr));
  Bytes out(64);
  unsigned int len = 0;
  if (!md || !EVP_Digest(data.data(), data.size(), out.data(), &len, md.get(), nullptr))
    throw std::runtime_error("test: digest");
  out.resize(len);
  return out;
}

Bytes RefCrypto::private_scalar(EVP_PKEY* key, size_t field_bytes) {
  BIGNUM* raw = nullptr;
  if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &raw))
    throw std::runtime_error("test: cannot read a private key");
  ossl::BnPtr d(raw);
  Bytes out(field_bytes);
  BN_bn2binpad(d.get(), out.data(), static_cast<int>(field_bytes));
  return out;
}

Bytes RefCrypto::sign_sha256(const std::string& pem, ByteView message) {
  std::unique_ptr<BIO, ossl::Deleter<BIO_free>> bio(BIO_new_file(pem.c_str(), "r"));
  if (!bio) throw std::runtime_error("test: cannot open " + pem);
  ossl::PkeyPtr key(
      PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, nullptr, nullptr, ctx_.get(), nullptr));
  if (!key) throw std::runtime_error("test: cannot read the key " + pem);
  Bytes digest = this->digest("SHA256", message);
  ossl::PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key.get(), nullptr));
  size_t len = 0;
  if (EVP_PKEY_sign_init(pctx.get()) <= 0 ||
      EVP_PKEY_sign(pctx.get(), nullptr, &len, digest.data(), digest.size()) <= 0)
    throw std::runtime_error("test: sign setup");
  Bytes der(len);
  if (EVP_PKEY_sign(pctx.get(), der.data(), &len, digest.data(), digest.size()) <= 0)
    throw std::runtime_error("test: sign");
  const unsigned char* p = der.data();
  ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  Bytes raw(64);
  BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32);
  return raw;
}

// ---- host -----------------------------------------------------------------------

Host::Host(std::unique_ptr<Chip> chip)
    : chip_(std::move(chip)),
      admin_pem_(chip_->state_path() + ".admin.pem"),
      key_import_pem_(chip_->state_path() + ".key-import.pem") {}

wire::ResponseFrame Host::send(wire::Command command, ByteView payload) {
  return exchange(*chip_, static_cast<uint8_t>(command), payload);
}

uint16_t Host::status(wire::Command command, ByteView payload) {
  return send(command, payload).status;
}

Bytes Host::ok(wire::Command command, ByteView payload) {
  wire::ResponseFrame r = send(command, payload);
  if (r.status != 0)
    throw std::runtime_error(std::string(wire::command_name(static_cast<uint8_t>(command))) +
                             " answered " + std::string(wire::status_name(r.status)));
  return r.payload;
}

uint16_t Host::authenticate(const std::string& admin_pem) {
  Bytes challenge = ok(wire::Command::GetChallenge, payload::u16(wire::kAdminChallengeBytes));
  return status(wire::Command::AdminAuthenticate,
                payload::authenticate(ref_.sign_sha256(admin_pem, challenge)));
}

uint16_t Host::admin_reset() {
  return status(wire::Command::AdminAuthenticate, wire::encode_admin_reset());
}

uint16_t Host::import(uint16_t id, ByteView body) {
  return status(wire::Command::ImportKey,
                payload::signed_import(id, body, ref_.sign_sha256(key_import_pem_, body)));
}

uint16_t Host::generate(uint16_t id, wire::Curve curve, wire::KeyUsage usage) {
  return import(id, payload::descriptor(curve, {}, usage));
}

Bytes Host::make_key_pair(uint16_t id, wire::Curve curve) {
  ok(wire::Command::CreateObject,
     payload::create(id, wire::ObjectType::KeyPair, wire::ObjectProperty::Persistent,
                     admin_managed_rules(), capacity(wire::ObjectType::KeyPair, curve)));
  uint16_t s = generate(id, curve);
  if (s != 0)
    throw std::runtime_error("import key (generate) answered " + std::string(wire::status_name(s)));
  return ok(wire::Command::ReadObject, payload::read(id, 0, 0));
}

}  // namespace maxq::sim::testing
