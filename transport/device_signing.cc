// The Device's signatures: sign and verify (C8) with the host digest sent as
// the ECDSA integer in field-size bytes, and the software check of chip
// signatures against the key the caller gave or the chip holds.
#include "transport/device.h"
#include "transport/device_answers.h"
#include "transport/signature_check.h"
#include "wire/key_layout.h"

namespace maxq::transport {

using wire::Command;
using namespace answers;

wire::CurveInfo Device::curve_for_sign(uint16_t id, const PublicKey* given) {
  if (given) {
    if (auto info = wire::curve_info(given->curve)) return *info;
  }
  {
    std::lock_guard<std::mutex> guard(cache_mutex_);
    if (auto it = public_keys_.find(id); it != public_keys_.end())
      if (auto info = wire::curve_info(it->second.curve)) return *info;
  }
  // A key nobody described yet: one read, then cached.
  std::exception_ptr denied;
  try {
    return *wire::curve_info(read_public(id).curve);
  } catch (const ChipError& e) {
    if (e.status() != static_cast<uint16_t>(wire::Status::AccessDenied)) throw;
    denied = std::current_exception();
  }
  // The object's rules let this session use the key but not read it (an
  // admin-readable key pair): the request needs only the field size, which
  // the capacity in the object's record gives (list objects needs no access
  // right). Curves of one field size have the same order bits, so any of
  // them encodes the digest the same way. Not cached: one more command.
  ObjectInfo info = object_info(id);
  for (uint8_t c = 0; c <= static_cast<uint8_t>(wire::Curve::Brainpool512); ++c) {
    auto candidate = wire::curve_info(c);
    if (candidate &&
        (info.type == wire::ObjectType::KeyPair || info.type == wire::ObjectType::PublicKey) &&
        wire::key_object_capacity(info.type, *candidate) == info.length)
      return *candidate;
  }
  std::rethrow_exception(denied);
}

Bytes Device::sign(uint16_t id, ByteView digest, const PublicKey* given) {
  const std::string what = "sign with key " + hex16(id);
  if (digest.empty()) throw Error(what + ": an empty digest cannot be signed");
  const wire::CurveInfo curve = curve_for_sign(id, given);
  if (options_.verify_signatures == SignatureChecking::Never)
    return sign_once(id, curve, digest, what);
  if (given && !is_known_public(id, *given)) {
    // The answer's size, so that the first sign takes one round trip; a
    // confirmed key has it already (remember_public).
    remember_field_bytes(id, curve.field_bytes);
    return sign_given(id, digest, *given, what);
  }
  for (unsigned attempt = 1;; ++attempt) {
    Bytes r = sign_once(id, curve, digest, what);
    if (!check_signatures()) return r;
    // A stale cached key (regenerated elsewhere) is re-read after the first mismatch.
    std::optional<PublicKey> pub = public_for_check(id, attempt == 2);
    if (!pub || signature_check().verify(pub->curve, pub->xy, digest, r)) return r;
    note_undetected_damage(what, attempt, "the key's public part");
  }
}

// A signature that did not verify although the key is right: damage the CRC
// missed. Every signature is checked for a while; after the last attempt, the
// error.
void Device::note_undetected_damage(const std::string& what, unsigned attempt,
                                    const char* against) {
  clean_commands_.store(0, std::memory_order_relaxed);
  if (attempt >= options_.max_attempts)
    throw ProtocolError(what + " on " + describe() + ": the chip's signature did not verify " +
                        "against " + against + " in all " + std::to_string(attempt) +
                        " attempts; the bus corrupts data without failing the CRC (check the "
                        "wiring and lower spi-clock-hz)");
}

// A signature under a key the caller gives and the Device has not confirmed.
Bytes Device::sign_given(uint16_t id, ByteView digest, const PublicKey& given,
                         const std::string& what) {
  unsigned unreadable = 0;
  const wire::CurveInfo curve = *wire::curve_info(given.curve);
  for (unsigned attempt = 1;; ++attempt) {
    Bytes r = sign_once(id, curve, digest, what);
    if (signature_check().verify(given.curve, given.xy, digest, r)) {
      remember_public(id, given);  // confirmed: later signatures need no check for it
      return r;
    }
    // A stale key, or damage: the chip's key tells which.
    std::optional<PublicKey> held = public_for_check(id, true);
    if (!held) {
      // This session may not read the object: no way to tell, so one more try.
      if (++unreadable >= 2)
        throw KeyMismatchError(
            what + " on " + describe() + ": the chip's signature does not verify against the " +
            "public key given for object " + hex16(id) +
            ", and this session may not read the object's key to tell why: either the key " +
            "reference or certificate is older than the key the object holds (write a current " +
            "one with an admin session), or the bus corrupts data (check the wiring and lower " +
            "spi-clock-hz)");
      continue;
    }
    // Only a signature that verifies under the chip's key proves another key;
    // a read damaged past the CRC proves nothing.
    if (*held != given && signature_check().verify(held->curve, held->xy, digest, r))
      throw KeyMismatchError(
          what + " on " + describe() + ": object " + hex16(id) +
          " holds a different key than the one given for it (a key reference or certificate "
          "made before the key was generated again?); write a reference for the key it holds "
          "(openssl pkey -provider maxq1061 -in maxq1061:id=" +
          hex16(id) + " -out ref.pem) and get a certificate for it");
    note_undetected_damage(what, attempt, "the given public key");
  }
}

Bytes Device::sign_once(uint16_t id, const wire::CurveInfo& curve, ByteView digest,
                        const std::string& what) {
  wire::SignRequest q;
  q.mode = wire::kModeSign;
  q.algorithm = static_cast<uint8_t>(wire::Algorithm::EcdsaDigest);
  q.key_id = id;
  q.data = wire::ecdsa_field_digest(curve, digest);
  Bytes r = command(Command::SignVerify, wire::encode_sign_request(q), Retry::Safe,
                    2 * curve.field_bytes, what);
  if (r.size() != 2 * curve.field_bytes)
    bad_answer(what, "a signature of " + std::to_string(r.size()) + " bytes for a " +
                         std::string(curve.sn) + " key");
  return r;
}

bool Device::verify(uint16_t id, ByteView digest, ByteView signature) {
  const std::string what = "verify with key " + hex16(id);
  if (digest.empty()) throw Error(what + ": an empty digest cannot be verified");
  wire::SignRequest q;
  q.mode = wire::kModeVerify;
  q.algorithm = static_cast<uint8_t>(wire::Algorithm::EcdsaDigest);
  q.key_id = id;
  q.data = wire::ecdsa_field_digest(curve_for_sign(id, nullptr), digest);
  q.signature = signature.to_bytes();
  try {
    Bytes r = command(Command::SignVerify, wire::encode_sign_request(q), Retry::Safe, 0, what);
    if (!r.empty()) bad_answer(what, std::to_string(r.size()) + " unexpected bytes");
  } catch (const ChipError& e) {
    if (e.status() == static_cast<uint16_t>(wire::Status::BadSignature)) return false;
    throw;
  }
  return true;
}

}  // namespace maxq::transport
