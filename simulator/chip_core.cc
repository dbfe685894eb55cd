#include "simulator/chip_core.h"

#include <new>

#include "simulator/state_error.h"

namespace maxq::sim {

using wire::Command;
using wire::Status;

ChipCore::ChipCore(const std::string& state_path)
    : state_(StateFile::open(state_path, crypto_)),
      counters_(Counters::open_shared(state_path + ".counters")) {}

Bytes ChipCore::frame_error() {
  counters_->add_frame_error();
  // MODELLED: a damaged frame discards a pending challenge like any command
  // (the chip cannot tell which command it was).
  session_.challenge.reset();
  return wire::encode_response(Status::FrameError, {});
}

Bytes ChipCore::execute(const wire::CommandFrame& frame) {
  counters_->add_command(frame.command);
  key_curve_.reset();
  // Any command discards the challenge; only admin authenticate, right after
  // get challenge, gets to use it.
  previous_challenge_ = std::move(session_.challenge);
  session_.challenge.reset();
  struct ForgetPrevious {
    std::optional<Bytes>& c;
    ~ForgetPrevious() { c.reset(); }
  } forget{previous_challenge_};
  if (auto forced = faults_.take_forced_status()) return wire::encode_response(*forced, {});
  Reply r;
  try {
    r = dispatch(frame.command, frame.payload);
  } catch (const MalformedPayload&) {
    r = Reply::error(Status::WrongLength);  // shorter or longer than its layout
  } catch (const CryptoError&) {
    r = Reply::error(Status::CryptoFailure);
  } catch (const std::bad_alloc&) {
    r = Reply::error(Status::CryptoFailure);
  }
  // A StateError is not turned into a status: the host's caller sees which
  // file is damaged and what to do, which no status word could say.
  Bytes out = wire::encode_response(r.status, r.payload);
  secure_zero(r.payload.data(), r.payload.size());  // may be an ECDH secret
  return out;
}

Reply ChipCore::dispatch(uint8_t code, ByteView payload) {
  Handler h = nullptr;
  switch (static_cast<Command>(code)) {
    case Command::Ping:
      h = &ChipCore::ping;
      break;
    case Command::GetStatus:
      h = &ChipCore::get_status;
      break;
    case Command::GetRandom:
      h = &ChipCore::get_random;
      break;
    case Command::GetChallenge:
      h = &ChipCore::get_challenge;
      break;
    case Command::AdminAuthenticate:
      h = &ChipCore::admin_authenticate;
      break;
    case Command::SetLifecycle:
      h = &ChipCore::set_lifecycle;
      break;
    case Command::CreateObject:
      h = &ChipCore::create_object;
      break;
    case Command::DeleteObject:
      h = &ChipCore::delete_object;
      break;
    case Command::ReadObject:
      h = &ChipCore::read_object;
      break;
    case Command::WriteObject:
      h = &ChipCore::write_object;
      break;
    case Command::ListObjects:
      h = &ChipCore::list_objects;
      break;
    case Command::ImportKey:
      h = &ChipCore::import_key;
      break;
    case Command::ImportRootCert:
      h = &ChipCore::import_root_certificate;
      break;
    case Command::SignVerify:
      h = &ChipCore::sign_verify;
      break;
    case Command::KeyExchange:
      h = &ChipCore::key_exchange;
      break;
    // MODELLED: public MAXQ106x commands the model does not implement (update
    // counter, cipher, secure channel, TLS record, verify boot, import child
    // certificate, message digest, MAC, sleep, set config, factory reset) are
    // answered like codes the chip does not know: kUnknownCommandStatus.
    case Command::UpdateCounter:
    case Command::Cipher:
    case Command::SecureChannel:
    case Command::TlsRecord:
    case Command::VerifyBoot:
    case Command::ImportChildCert:
    case Command::MessageDigest:
    case Command::Mac:
    case Command::Sleep:
    case Command::SetConfig:
    case Command::FactoryReset:
    default:
      return Reply::error(wire::kUnknownCommandStatus);
  }
  const bool always_allowed = code == static_cast<uint8_t>(Command::Ping) ||
                              code == static_cast<uint8_t>(Command::GetStatus);
  Reply r;
  state_->transact([&](PersistentState& s) {
    Transaction t{s, ObjectStore(s, session_.temporary)};
    if (s.lifecycle == wire::Lifecycle::Terminated && !always_allowed) {
      r = Reply::error(Status::SecurityCondition);
      return false;
    }
    r = (this->*h)(t, payload);
    return t.save && r.status == Status::Ok;
  });
  return r;
}

uint8_t ChipCore::roles() const {
  return session_.admin ? wire::kRoleAdmin : 0;
}

bool ChipCore::allowed(const Transaction& t, const Object& o, wire::Operation op) const {
  return wire::roles_pass(wire::rule_roles(o.rules, t.state.lifecycle, op), roles());
}

EVP_PKEY* ChipCore::key_of(Object& o) {
  if (!o.cached_key) {
    const wire::CurveInfo curve = *wire::curve_info(*o.curve);
    if (o.type == wire::ObjectType::KeyPair) {
      o.cached_key = crypto_.key_pair(curve, o.private_scalar.view(), o.public_xy);
    } else {
      o.cached_key = crypto_.public_key(curve, o.public_xy);
      if (!o.cached_key) throw CryptoError("stored public key does not load");
    }
  }
  return o.cached_key.get();
}

Status ChipCore::verify_with_preloaded(Transaction& t, uint16_t key_id, ByteView message,
                                       ByteView signature) {
  // The chip uses its pre-loaded keys itself: their access rules do not apply.
  Object* key = t.objects.find(key_id);
  if (!key) return Status::NotFound;
  if (key->type != wire::ObjectType::PublicKey) return Status::BadParameter;
  if (!key->holds_key()) return Status::ObjectEmpty;
  const wire::CurveInfo curve = *wire::curve_info(*key->curve);
  if (signature.size() != 2 * curve.field_bytes) return Status::WrongLength;
  key_curve_ = curve.curve;
  Bytes digest = crypto_.digest(wire::Algorithm::Sha256, message);
  return crypto_.verify_digest(key_of(*key), curve.field_bytes, digest, signature)
             ? Status::Ok
             : Status::BadSignature;
}

Status ChipCore::check_signed_import(Transaction& t, const wire::SignedImport& s) {
  // MODELLED: encrypted import (pass 4) nests in a way that is not public.
  if (s.pass == 0x04) return Status::NotImplemented;
  if (s.pass != wire::kPassFirst) return Status::BadParameter;
  if (s.algorithm != static_cast<uint8_t>(wire::Algorithm::EcdsaSha256))
    return Status::AlgorithmNotSupported;
  // MODELLED: only the key-import key verifies imports.
  if (s.verify_key_id != wire::kKeyImportKeyId) return Status::WrongParams;
  return verify_with_preloaded(t, s.verify_key_id, s.body, s.signature);
}

}  // namespace maxq::sim
