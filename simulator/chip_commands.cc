// Chip-level commands: ping, get status, get challenge, admin authenticate,
// set lifecycle, get random.
#include <openssl/crypto.h>

#include "simulator/chip_core.h"
#include "simulator/sim_crypto.h"

namespace maxq::sim {

using wire::Status;

Reply ChipCore::ping(PersistentState&, ByteView p, bool&) { return Reply::ok(p.to_bytes()); }

Reply ChipCore::get_status(PersistentState& s, ByteView p, bool&) {
  if (!p.empty()) return Reply::error(Status::WrongLength);
  PayloadWriter w;
  uint8_t name[wire::kProductNameBytes] = {};
  std::copy(wire::kProductName.begin(), wire::kProductName.end(), name);
  w.bytes(ByteView(name, sizeof name)).bytes(ByteView(wire::kFirmwareVersion, 4)).bytes(s.serial);
  w.u8(static_cast<uint8_t>(s.lifecycle));
  size_t used = s.used_storage();
  w.u32(static_cast<uint32_t>(wire::kSecureStorageBytes - std::min(used, wire::kSecureStorageBytes)));
  w.u32(static_cast<uint32_t>(wire::kSecureStorageBytes));
  w.u8(static_cast<uint8_t>(wire::kTemporarySlots - session_.temporary.size()));
  return Reply::ok(w.take());
}

Reply ChipCore::get_challenge(PersistentState&, ByteView p, bool&) {
  PayloadReader r(p, "get challenge");
  uint16_t len = r.u16();
  r.expect_end();
  if (len < wire::kMinChallenge || len > wire::kMaxChallenge) return Reply::error(Status::WrongLength);
  Bytes c(len);
  SimCrypto::instance().random(c.data(), c.size());
  session_.challenge = c;
  return Reply::ok(std::move(c));
}

Reply ChipCore::admin_authenticate(PersistentState& s, ByteView p, bool&) {
  PayloadReader r(p, "admin authenticate");
  uint8_t alg = r.u8();
  uint16_t key_id = r.u16();
  ByteView sig = r.bytes(r.u16());
  r.expect_end();
  // Any attempt consumes the challenge: no guessing against one challenge.
  std::optional<Bytes> challenge = std::move(session_.challenge);
  session_.challenge.reset();
  if (alg != static_cast<uint8_t>(wire::Algorithm::EcdsaSha256))
    return Reply::error(Status::AlgorithmNotSupported);
  if (key_id != wire::kAdminKeyId) return Reply::error(Status::BadParameter);
  if (!challenge) return Reply::error(Status::SecurityCondition);
  Object* key = find(s, key_id);
  if (!key || !key->holds_key()) return Reply::error(Status::NotFound);
  auto curve = wire::curve_info(static_cast<uint8_t>(*key->curve));
  Bytes digest = SimCrypto::instance().digest(wire::Algorithm::Sha256, *challenge);
  if (!SimCrypto::instance().verify_digest(*curve, key->public_xy, digest, sig)) {
    session_.admin = false;
    return Reply::error(Status::BadSignature);
  }
  session_.admin = true;
  return Reply::ok();
}

Reply ChipCore::set_lifecycle(PersistentState& s, ByteView p, bool& modified) {
  PayloadReader r(p, "set lifecycle");
  uint8_t next = r.u8();
  r.expect_end();
  if (next < 3 || next > 6) return Reply::error(Status::BadParameter);
  if (!session_.admin) return Reply::error(Status::AccessDenied);
  if (next <= static_cast<uint8_t>(s.lifecycle)) return Reply::error(Status::SecurityCondition);
  s.lifecycle = static_cast<wire::Lifecycle>(next);
  session_.admin = false;  // MODELLED: a lifecycle change ends the admin session
  modified = true;
  return Reply::ok();
}

Reply ChipCore::get_random(PersistentState&, ByteView p, bool&) {
  PayloadReader r(p, "get random");
  uint16_t len = r.u16();
  r.expect_end();
  if (len == 0 || len > wire::kMaxRandomPerCommand) return Reply::error(Status::WrongLength);
  Bytes out(len);
  SimCrypto::instance().random(out.data(), out.size());
  return Reply::ok(std::move(out));
}

}  // namespace maxq::sim
