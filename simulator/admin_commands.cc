// The admin role and the lifecycle: get challenge, admin authenticate, set
// lifecycle.
#include "simulator/chip_core.h"
#include "wire/admin_layout.h"

namespace maxq::sim {

using wire::Status;

// Get challenge is also the chip's random-number source (§4.3).
Reply ChipCore::get_challenge(Transaction&, ByteView p) {
  uint16_t length = wire::decode_challenge_request(p);
  // MODELLED: 1 to kMaxChallenge bytes per command.
  if (length == 0 || length > wire::kMaxChallenge) return Reply::error(Status::WrongLength);
  Bytes challenge(length);
  crypto_.random(challenge.data(), challenge.size());
  session_.challenge = challenge;  // for the next command only (chip_core.h)
  return Reply::ok(std::move(challenge));
}

Reply ChipCore::admin_authenticate(Transaction& t, ByteView p) {
  wire::AdminCommand c = wire::decode_admin_command(p);
  if (c.pass == wire::kPassClose) {
    session_.admin = false;  // admin reset
    return Reply::ok();
  }
  if (c.pass != wire::kPassFirst) return Reply::error(Status::BadParameter);
  // The attempt consumed the challenge (execute() took it) and, MODELLED,
  // ends an admin role held so far, whatever its outcome.
  std::optional<Bytes> challenge = std::move(previous_challenge_);
  previous_challenge_.reset();
  session_.admin = false;
  if (c.login.algorithm != static_cast<uint8_t>(wire::Algorithm::EcdsaSha256))
    return Reply::error(Status::AlgorithmNotSupported);
  // MODELLED: statuses of a wrong key id and of non-zero reserved words.
  if (c.login.key_id != wire::kAdminKeyId) return Reply::error(Status::WrongParams);
  if (!c.login.reserved_zero) return Reply::error(Status::BadParameter);
  if (!challenge || challenge->size() != wire::kAdminChallengeBytes)
    return Reply::error(Status::SecurityCondition);
  Status verified = verify_with_preloaded(t, wire::kAdminKeyId, *challenge, c.login.signature);
  if (verified != Status::Ok) return Reply::error(verified);
  session_.admin = true;
  return Reply::ok();
}

Reply ChipCore::set_lifecycle(Transaction& t, ByteView p) {
  uint8_t next = wire::decode_set_lifecycle(p);
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
