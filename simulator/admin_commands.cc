// The admin role and the lifecycle: get challenge, admin authenticate, set
// lifecycle.
#include "simulator/chip_core.h"

namespace maxq::sim {

using wire::Status;

Reply ChipCore::get_challenge(Transaction&, ByteView p) {
  PayloadReader r(p, "get challenge");
  uint16_t length = r.u16();
  r.expect_end();
  if (length < wire::kMinChallenge || length > wire::kMaxChallenge)
    return Reply::error(Status::WrongLength);
  Bytes challenge(length);
  crypto_.random(challenge.data(), challenge.size());
  session_.challenge = challenge;  // replaces any earlier one
  return Reply::ok(std::move(challenge));
}

Reply ChipCore::admin_authenticate(Transaction& t, ByteView p) {
  PayloadReader r(p, "admin authenticate");
  uint8_t algorithm = r.u8();
  uint16_t key_id = r.u16();
  ByteView signature = r.bytes(r.u16());
  r.expect_end();
  // MODELLED: every attempt consumes the challenge (no guessing against one
  // challenge) and ends an admin role held so far.
  std::optional<Bytes> challenge = std::move(session_.challenge);
  session_.challenge.reset();
  session_.admin = false;
  if (algorithm != static_cast<uint8_t>(wire::Algorithm::EcdsaSha256))
    return Reply::error(Status::AlgorithmNotSupported);
  if (key_id != wire::kAdminKeyId) return Reply::error(Status::BadParameter);
  if (!challenge) return Reply::error(Status::SecurityCondition);
  Object* key = t.objects.find(key_id);
  if (!key) return Reply::error(Status::NotFound);
  if (key->type != wire::ObjectType::PublicKey) return Reply::error(Status::BadParameter);
  if (!key->holds_key()) return Reply::error(Status::ObjectEmpty);
  const wire::CurveInfo curve = *wire::curve_info(static_cast<uint8_t>(*key->curve));
  if (signature.size() != 2 * curve.field_bytes) return Reply::error(Status::WrongLength);
  key_curve_ = curve.curve;
  Bytes digest = crypto_.digest(wire::Algorithm::Sha256, *challenge);
  if (!crypto_.verify_digest(key_of(*key), curve.field_bytes, digest, signature))
    return Reply::error(Status::BadSignature);
  session_.admin = true;
  return Reply::ok();
}

Reply ChipCore::set_lifecycle(Transaction& t, ByteView p) {
  PayloadReader r(p, "set lifecycle");
  uint8_t next = r.u8();
  r.expect_end();
  if (next < static_cast<uint8_t>(wire::Lifecycle::Delivery) ||
      next > static_cast<uint8_t>(wire::Lifecycle::Terminated))
    return Reply::error(Status::BadParameter);
  if (!session_.admin) return Reply::error(Status::AccessDenied);
  if (next <= static_cast<uint8_t>(t.state.lifecycle))
    return Reply::error(Status::SecurityCondition);  // one way only
  t.state.lifecycle = static_cast<wire::Lifecycle>(next);
  session_.admin = false;  // MODELLED: a lifecycle change ends the admin session
  t.save = true;
  return Reply::ok();
}

}  // namespace maxq::sim
