// Key commands: import key (incl. on-chip generation), sign/verify, key exchange.
#include "simulator/chip_core.h"
#include "simulator/sim_crypto.h"

namespace maxq::sim {

using wire::Status;

Reply ChipCore::import_key(PersistentState& s, ByteView p, bool& modified) {
  PayloadReader r(p, "import key");
  uint16_t id = r.u16();
  uint8_t curve_id = r.u8(), format = r.u8();
  ByteView material = r.rest();
  auto curve = wire::curve_info(curve_id);
  if (!curve) return Reply::error(Status::CurveNotSupported);
  Object* o = find(s, id);
  if (!o) return Reply::error(Status::NotFound);
  if (!allowed(s, *o, wire::Operation::Generate)) return Reply::error(Status::AccessDenied);
  if (o->length != curve->field_bytes) return Reply::error(Status::BadParameter);  // sized for another curve
  Bytes response;
  if (format == wire::kImportGenerate) {
    if (o->type != wire::ObjectType::KeyPair) return Reply::error(Status::BadParameter);
    if (!material.empty()) return Reply::error(Status::WrongLength);
    KeyPairMaterial k = SimCrypto::instance().generate(*curve);
    o->private_scalar = std::move(k.private_scalar);
    o->public_xy = k.public_xy;
    o->crypto_key.reset();
    response = std::move(k.public_xy);
  } else if (format == wire::kImportPublic) {
    if (o->type != wire::ObjectType::PublicKey) return Reply::error(Status::BadParameter);
    if (material.size() != 2 * curve->field_bytes) return Reply::error(Status::WrongLength);
    if (!SimCrypto::instance().point_on_curve(*curve, material)) return Reply::error(Status::BadParameter);
    o->public_xy = material.to_bytes();
    o->crypto_key.reset();
  } else {
    // MODELLED: the real chip imports private keys only as signed/encrypted blobs.
    return Reply::error(Status::AlgorithmNotSupported);
  }
  o->curve = curve->curve;
  modified = o->property == wire::ObjectProperty::Persistent;
  return Reply::ok(std::move(response));
}

Reply ChipCore::sign_verify(PersistentState& s, ByteView p, bool&) {
  PayloadReader r(p, "sign/verify");
  uint8_t mode = r.u8(), alg = r.u8();
  uint16_t id = r.u16();
  r.u8();  // reserved
  ByteView data = r.bytes(r.u16());
  ByteView sig = r.bytes(r.u16());
  r.expect_end();
  if (mode != wire::kModeSign && mode != wire::kModeVerify) return Reply::error(Status::BadParameter);
  Bytes digest;
  switch (static_cast<wire::Algorithm>(alg)) {
    case wire::Algorithm::EcdsaDigest:
      if (data.size() < 20 || data.size() > 64) return Reply::error(Status::WrongLength);
      digest = data.to_bytes();
      break;
    case wire::Algorithm::EcdsaSha256:
      digest = SimCrypto::instance().digest(wire::Algorithm::Sha256, data);
      break;
    case wire::Algorithm::EcdsaSha384:
      digest = SimCrypto::instance().digest(wire::Algorithm::Sha384, data);
      break;
    case wire::Algorithm::EcdsaSha512:
      digest = SimCrypto::instance().digest(wire::Algorithm::Sha512, data);
      break;
    default: return Reply::error(Status::AlgorithmNotSupported);
  }
  Object* o = find(s, id);
  if (!o) return Reply::error(Status::NotFound);
  bool sign = mode == wire::kModeSign;
  if (sign ? o->type != wire::ObjectType::KeyPair
           : (o->type != wire::ObjectType::KeyPair && o->type != wire::ObjectType::PublicKey))
    return Reply::error(Status::BadParameter);
  if (!allowed(s, *o, wire::Operation::Execute)) return Reply::error(Status::AccessDenied);
  if (!o->holds_key()) return Reply::error(Status::ObjectEmpty);
  auto curve = wire::curve_info(static_cast<uint8_t>(*o->curve));
  if (sign) {
    if (!sig.empty()) return Reply::error(Status::WrongLength);
    return Reply::ok(SimCrypto::instance().sign_digest(*curve, o->private_scalar.view(), o->public_xy, digest,
                                                       o->crypto_key));
  }
  if (sig.size() != 2 * curve->field_bytes) return Reply::error(Status::WrongLength);
  return SimCrypto::instance().verify_digest(*curve, o->public_xy, digest, sig)
             ? Reply::ok()
             : Reply::error(Status::BadSignature);
}

Reply ChipCore::key_exchange(PersistentState& s, ByteView p, bool&) {
  PayloadReader r(p, "key exchange");
  uint16_t id = r.u16();
  ByteView peer = r.bytes(r.u16());
  r.expect_end();
  Object* o = find(s, id);
  if (!o) return Reply::error(Status::NotFound);
  if (o->type != wire::ObjectType::KeyPair) return Reply::error(Status::BadParameter);
  if (!allowed(s, *o, wire::Operation::Execute)) return Reply::error(Status::AccessDenied);
  if (!o->holds_key()) return Reply::error(Status::ObjectEmpty);
  auto curve = wire::curve_info(static_cast<uint8_t>(*o->curve));
  if (peer.size() != 2 * curve->field_bytes) return Reply::error(Status::WrongLength);
  auto secret = SimCrypto::instance().ecdh(*curve, o->private_scalar.view(), o->public_xy, peer,
                                           o->crypto_key);
  if (!secret) return Reply::error(Status::BadParameter);  // not a point on the key's curve
  // The response frame is built from a copy; the SecretBytes here is zeroed.
  return Reply::ok(secret->view().to_bytes());
}

}  // namespace maxq::sim
