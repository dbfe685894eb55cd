// Key commands: sign/verify, and the model's raw-ECDH extension of key
// exchange.
#include "simulator/chip_core.h"

namespace maxq::sim {

using wire::Algorithm;
using wire::Status;

namespace {

// MODELLED key policy: a key signs when one of its usages is data signature
// or TLS authentication.
bool may_sign(const std::optional<wire::KeyPolicy>& policy) {
  if (!policy) return false;
  auto signs = [](uint8_t usage) {
    return usage == static_cast<uint8_t>(wire::KeyUsage::DataSignature) ||
           usage == static_cast<uint8_t>(wire::KeyUsage::TlsAuthentication);
  };
  return signs(policy->usage1) || signs(policy->usage2);
}

// What libcrypto's ECDSA must be given for the data of an algorithm-08
// request, or the refusal. MODELLED: data of exactly the field size is the
// ECDSA integer e itself (what wire::ecdsa_field_digest sends); any other
// length from 20 to 64 bytes is a raw hash that ECDSA truncates to the order's
// bits (as MBW sends it).
Status host_digest(const wire::CurveInfo& curve, const Bytes& data, Bytes& out) {
  const size_t n = curve.field_bytes;
  if (data.size() == n) {
    // libcrypto takes the leftmost order-bits bits: e shifted left by the
    // surplus bits (P-521: 7) comes out as e. e must fit the order's bits.
    const unsigned shift = static_cast<unsigned>(8 * n - curve.bits);
    if (shift == 0) {
      out = data;
      return Status::Ok;
    }
    if (data[0] >> (8 - shift) != 0) return Status::BadParameter;  // e >= 2^bits
    out.assign(n, 0);
    for (size_t i = 0; i < n; ++i) {
      unsigned v = static_cast<unsigned>(data[i]) << shift;
      if (i + 1 < n) v |= data[i + 1] >> (8 - shift);
      out[i] = static_cast<uint8_t>(v);
    }
    return Status::Ok;
  }
  if (data.size() < wire::kMinHostDigestBytes || data.size() > wire::kMaxHostDigestBytes)
    return Status::WrongLength;
  out = data;
  return Status::Ok;
}

}  // namespace

Reply ChipCore::sign_verify(Transaction& t, ByteView p) {
  wire::SignRequest q = wire::decode_sign_request(p);
  if (q.mode != wire::kModeSign && q.mode != wire::kModeVerify)
    return Reply::error(Status::BadParameter);
  if (q.reserved != 0) return Reply::error(Status::BadParameter);
  const bool sign = q.mode == wire::kModeSign;
  if (sign && !q.signature.empty()) return Reply::error(Status::WrongLength);

  std::optional<Algorithm> hash;
  switch (static_cast<Algorithm>(q.algorithm)) {
    case Algorithm::EcdsaDigest:
      break;
    case Algorithm::EcdsaSha256:
      hash = Algorithm::Sha256;
      break;
    case Algorithm::EcdsaSha384:
      hash = Algorithm::Sha384;
      break;
    case Algorithm::EcdsaSha512:
      hash = Algorithm::Sha512;
      break;
    case Algorithm::EcdsaInnerMd:
      // MODELLED: the model has no message digest command, so there is never
      // a previously computed hash.
      return Reply::error(Status::AccessDenied);
    default:
      return Reply::error(Status::AlgorithmNotSupported);
  }

  Object* o = t.objects.find(q.key_id);
  if (!o) return Reply::error(Status::NotFound);
  bool type_ok = sign ? o->type == wire::ObjectType::KeyPair : o->is_ec_key();
  if (!type_ok) return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, wire::Operation::Execute)) return Reply::error(Status::AccessDenied);
  if (!o->holds_key()) return Reply::error(Status::ObjectEmpty);
  const wire::CurveInfo curve = *wire::curve_info(*o->curve);
  key_curve_ = curve.curve;
  // MODELLED: verification asks for no particular usage.
  if (sign && !may_sign(o->policy)) return Reply::error(Status::BadKeyType);

  Bytes digest;
  if (hash) {
    digest = crypto_.digest(*hash, q.data);
  } else if (Status s = host_digest(curve, q.data, digest); s != Status::Ok) {
    return Reply::error(s);
  }
  const size_t n = curve.field_bytes;
  if (sign) return Reply::ok(crypto_.sign_digest(key_of(*o), n, digest));
  if (q.signature.size() != 2 * n) return Reply::error(Status::WrongLength);
  return crypto_.verify_digest(key_of(*o), n, digest, q.signature)
             ? Reply::ok()
             : Reply::error(Status::BadSignature);
}

Reply ChipCore::key_exchange(Transaction& t, ByteView p) {
  if (p.empty()) return Reply::error(Status::WrongLength);
  // MODELLED: the public passes (00..06) drive the part's TLS 1.2 engine,
  // which the model does not have.
  if (p[0] != wire::kPassSimulatorEcdh) return Reply::error(Status::NotImplemented);
  // MODELLED extension: raw ECDH with a key pair on the chip (key_layout.h).
  wire::SimulatorEcdhRequest q = wire::decode_simulator_ecdh(p);
  Object* o = t.objects.find(q.key_id);
  if (!o) return Reply::error(Status::NotFound);
  if (o->type != wire::ObjectType::KeyPair) return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, wire::Operation::Execute)) return Reply::error(Status::AccessDenied);
  if (!o->holds_key()) return Reply::error(Status::ObjectEmpty);
  const wire::CurveInfo curve = *wire::curve_info(*o->curve);
  // MODELLED: a point of another size is WrongLength; a wrong form or a point
  // off the key's curve BadParameter.
  if (q.peer_point.size() != 1 + 2 * curve.field_bytes) return Reply::error(Status::WrongLength);
  key_curve_ = curve.curve;
  if (q.peer_point[0] != 0x04) return Reply::error(Status::BadParameter);  // uncompressed only
  ossl::PkeyPtr peer = crypto_.public_key(curve, ByteView(q.peer_point).subview(1));
  if (!peer) return Reply::error(Status::BadParameter);  // not a point on the key's curve
  SecretBytes secret = crypto_.ecdh(key_of(*o), peer.get(), curve.field_bytes);
  // The reply is a copy; `secret` is wiped here and execute() wipes the reply.
  return Reply::ok(secret.view().to_bytes());
}

}  // namespace maxq::sim
