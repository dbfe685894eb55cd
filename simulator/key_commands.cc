// Key commands: import key (including generation on the chip), sign/verify,
// key exchange.
#include "simulator/chip_core.h"

namespace maxq::sim {

using wire::Status;

namespace {

constexpr size_t kMinDigest = 20;  // SHA-1 size; shorter digests are refused
constexpr size_t kMaxDigest = 64;  // SHA-512 size

wire::CurveInfo curve_of(const Object& o) {
  return *wire::curve_info(static_cast<uint8_t>(*o.curve));
}

}  // namespace

Reply ChipCore::import_key(Transaction& t, ByteView p) {
  PayloadReader r(p, "import key");
  uint16_t id = r.u16();
  uint8_t curve_id = r.u8(), format = r.u8();
  ByteView material = r.rest();
  auto curve = wire::curve_info(curve_id);
  if (!curve) return Reply::error(Status::CurveNotSupported);
  // MODELLED: the real chip imports private keys only as blobs signed for the
  // key-import key 0x1000; the model generates keys or takes public keys.
  if (format != wire::kImportGenerate && format != wire::kImportPublic)
    return Reply::error(Status::AlgorithmNotSupported);
  Object* o = t.objects.find(id);
  if (!o) return Reply::error(Status::NotFound);
  bool generate = format == wire::kImportGenerate;
  if (o->type != (generate ? wire::ObjectType::KeyPair : wire::ObjectType::PublicKey))
    return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, wire::Operation::Generate)) return Reply::error(Status::AccessDenied);
  if (o->length != curve->field_bytes) return Reply::error(Status::BadParameter);  // other curve
  key_curve_ = curve->curve;
  Bytes response;
  if (generate) {
    if (!material.empty()) return Reply::error(Status::WrongLength);
    KeyPairMaterial k = crypto_.generate(*curve);
    response = k.public_xy;  // saves the host a read of the new public key
    o->set_key(curve->curve, std::move(k.public_xy), std::move(k.private_scalar));
    o->cached_key = std::move(k.key);  // an ephemeral key is used once: no re-import
  } else {
    if (material.size() != 2 * curve->field_bytes) return Reply::error(Status::WrongLength);
    ossl::PkeyPtr key = crypto_.public_key(*curve, material);
    if (!key) return Reply::error(Status::BadParameter);  // not a point on the curve
    o->set_key(curve->curve, material.to_bytes(), SecretBytes());
    o->cached_key = std::move(key);
  }
  t.save = !o->temporary();
  return Reply::ok(std::move(response));
}

Reply ChipCore::sign_verify(Transaction& t, ByteView p) {
  PayloadReader r(p, "sign/verify");
  uint8_t mode = r.u8(), algorithm = r.u8();
  uint16_t id = r.u16();
  uint8_t reserved = r.u8();
  ByteView data = r.bytes(r.u16());
  ByteView signature = r.bytes(r.u16());
  r.expect_end();
  if (mode != wire::kModeSign && mode != wire::kModeVerify)
    return Reply::error(Status::BadParameter);
  if (reserved != 0) return Reply::error(Status::BadParameter);
  const bool sign = mode == wire::kModeSign;
  if (sign && !signature.empty()) return Reply::error(Status::WrongLength);

  Bytes digest;
  switch (static_cast<wire::Algorithm>(algorithm)) {
    case wire::Algorithm::EcdsaDigest:
      if (data.size() < kMinDigest || data.size() > kMaxDigest)
        return Reply::error(Status::WrongLength);
      digest = data.to_bytes();
      break;
    case wire::Algorithm::EcdsaSha256:
      digest = crypto_.digest(wire::Algorithm::Sha256, data);
      break;
    case wire::Algorithm::EcdsaSha384:
      digest = crypto_.digest(wire::Algorithm::Sha384, data);
      break;
    case wire::Algorithm::EcdsaSha512:
      digest = crypto_.digest(wire::Algorithm::Sha512, data);
      break;
    default:
      return Reply::error(Status::AlgorithmNotSupported);
  }

  Object* o = t.objects.find(id);
  if (!o) return Reply::error(Status::NotFound);
  bool type_ok = sign ? o->type == wire::ObjectType::KeyPair : o->is_ec_key();
  if (!type_ok) return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, wire::Operation::Execute)) return Reply::error(Status::AccessDenied);
  if (!o->holds_key()) return Reply::error(Status::ObjectEmpty);
  const size_t field_bytes = curve_of(*o).field_bytes;
  key_curve_ = *o->curve;
  if (sign) return Reply::ok(crypto_.sign_digest(key_of(*o), field_bytes, digest));
  if (signature.size() != 2 * field_bytes) return Reply::error(Status::WrongLength);
  return crypto_.verify_digest(key_of(*o), field_bytes, digest, signature)
             ? Reply::ok()
             : Reply::error(Status::BadSignature);
}

Reply ChipCore::key_exchange(Transaction& t, ByteView p) {
  PayloadReader r(p, "key exchange");
  uint16_t id = r.u16();
  ByteView peer_xy = r.bytes(r.u16());
  r.expect_end();
  Object* o = t.objects.find(id);
  if (!o) return Reply::error(Status::NotFound);
  if (o->type != wire::ObjectType::KeyPair) return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, wire::Operation::Execute)) return Reply::error(Status::AccessDenied);
  if (!o->holds_key()) return Reply::error(Status::ObjectEmpty);
  const wire::CurveInfo curve = curve_of(*o);
  if (peer_xy.size() != 2 * curve.field_bytes) return Reply::error(Status::WrongLength);
  key_curve_ = curve.curve;
  ossl::PkeyPtr peer = crypto_.public_key(curve, peer_xy);
  if (!peer) return Reply::error(Status::BadParameter);  // not a point on the key's curve
  SecretBytes secret = crypto_.ecdh(key_of(*o), peer.get(), curve.field_bytes);
  // The reply is a copy; `secret` is wiped here and execute() wipes the reply.
  return Reply::ok(secret.view().to_bytes());
}

}  // namespace maxq::sim
