// The typed commands: request layouts and response parsing exactly as in
// wire/protocol.h. Every response is parsed as untrusted input and its length
// checked; plumbing (locks, retries, trace) is in device_exchange.cc.
#include "transport/device.h"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include "transport/credential_key.h"
#include "transport/file_lock.h"
#include "transport/signature_check.h"
#include "wire/admin_layout.h"
#include "wire/certificate_layout.h"
#include "wire/key_layout.h"

namespace maxq::transport {

using wire::Command;

namespace {

constexpr size_t kLargestField = 66;  // P-521
constexpr size_t kLargestSignature = 2 * kLargestField;
// Pass, algorithm, two ids, two lengths and a P-256 signature around the body.
constexpr size_t kSignedImportOverhead = 1 + 1 + 2 + 2 + 2 + 2 + 64;

std::string hex16(uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%04x", v);
  return b;
}

// Runs `parse` over a response; a payload that does not fit its layout becomes a
// ProtocolError naming the operation.
template <class Fn>
auto parse_response(const std::string& what, Fn&& parse) {
  try {
    return parse();
  } catch (const MalformedPayload& e) {
    throw ProtocolError(what + ": the chip's answer does not match the command's layout (" +
                        e.what() + ")");
  }
}

[[noreturn]] void bad_answer(const std::string& what, const std::string& why) {
  throw ProtocolError(what + ": the chip's answer is malformed (" + why + ")");
}

}  // namespace

void Device::remember_field_bytes(uint16_t id, size_t field_bytes) {
  std::lock_guard<std::mutex> guard(cache_mutex_);
  field_bytes_[id] = field_bytes;
}

size_t Device::field_bytes_hint(uint16_t id) {
  std::lock_guard<std::mutex> guard(cache_mutex_);
  auto it = field_bytes_.find(id);
  return it == field_bytes_.end() ? kLargestField : it->second;
}

void Device::remember_public(uint16_t id, const PublicKey& key) {
  auto info = wire::curve_info(static_cast<uint8_t>(key.curve));
  std::lock_guard<std::mutex> guard(cache_mutex_);
  if (info) field_bytes_[id] = info->field_bytes;
  public_keys_[id] = key;
}

bool Device::is_known_public(uint16_t id, const PublicKey& key) {
  std::lock_guard<std::mutex> guard(cache_mutex_);
  auto it = public_keys_.find(id);
  return it != public_keys_.end() && it->second == key;
}

void Device::forget(uint16_t id) {
  std::lock_guard<std::mutex> guard(cache_mutex_);
  field_bytes_.erase(id);
  public_keys_.erase(id);
}

std::optional<PublicKey> Device::public_for_check(uint16_t id, bool refresh) {
  if (!refresh) {
    std::lock_guard<std::mutex> guard(cache_mutex_);
    if (auto it = public_keys_.find(id); it != public_keys_.end()) return it->second;
  }
  try {
    return read_public(id);  // caches it
  } catch (const ChipError&) {
    // The object's rules do not let this session read it (or it is gone):
    // nothing to check against. Bus trouble (other errors) propagates.
    return std::nullopt;
  }
}

Bytes Device::ping(ByteView data) {
  Bytes r = command(Command::Ping, data, Retry::Safe, data.size(), "ping");
  if (r.size() != data.size() || !std::equal(r.begin(), r.end(), data.begin()))
    bad_answer("ping", "the echo differs from the data sent");
  return r;
}

ChipStatus Device::status() {
  const std::string what = "get status";
  Bytes r = command(Command::GetStatus, {}, Retry::Safe, wire::kStatusPayloadBytes, what);
  return parse_response(what, [&] {
    wire::StatusPayload p = wire::decode_status(r);
    ChipStatus s;
    s.product.assign(p.product.begin(), std::find(p.product.begin(), p.product.end(), uint8_t{0}));
    s.firmware = {p.firmware_major, p.firmware_minor, p.firmware_revision};
    s.hardware_code = p.hardware_code;
    s.serial = p.serial;
    if (p.lifecycle < static_cast<uint8_t>(wire::Lifecycle::Delivery) ||
        p.lifecycle > static_cast<uint8_t>(wire::Lifecycle::Terminated))
      bad_answer(what, "lifecycle " + std::to_string(p.lifecycle));
    s.lifecycle = static_cast<wire::Lifecycle>(p.lifecycle);
    if (p.free_memory > p.total_memory)
      bad_answer(what, "more free memory than there is in all");
    s.free_memory = p.free_memory;
    s.total_memory = p.total_memory;
    s.config = p.config;
    s.sysconfig = p.sysconfig;
    return s;
  });
}

Bytes Device::challenge(uint16_t length) {
  Bytes r = command(Command::GetChallenge, wire::encode_challenge_request(length), Retry::Safe,
                    length, "get challenge");
  if (r.size() != length) bad_answer("get challenge", std::to_string(r.size()) + " bytes");
  return r;
}

void Device::admin_authenticate(ByteView signature) {
  wire::AdminLogin login;
  login.signature = signature.to_bytes();
  // Not repeated on a damaged answer: the attempt consumed the challenge.
  command(Command::AdminAuthenticate, wire::encode_admin_login(login), Retry::OnlyIfNotExecuted,
          0, "admin authenticate");
}

void Device::admin_reset() {
  // Safe to repeat: a second reset of a chip without admin changes nothing.
  command(Command::AdminAuthenticate, wire::encode_admin_reset(), Retry::Safe, 0, "admin reset");
}

void Device::authenticate(const CredentialKey& admin) {
  // Challenge and login back to back (the caller holds the Device): any
  // command in between would make the chip discard the challenge.
  Bytes c = challenge(wire::kAdminChallengeBytes);
  admin_authenticate(admin.sign(c));
}

void Device::end_admin_quietly() noexcept {
  try {
    admin_reset();
  } catch (const std::exception&) {
    // The body's error is the one to report; a chip that cannot take the
    // reset now drops the admin condition at its next reset.
  }
}

Device::Exclusive::Exclusive(Device& d) : device_(d) {
  device_.mutex_.lock();
  try {
    if (device_.exclusive_depth_++ == 0) {
      std::string path = device_.link_->lock_path();
      if (!path.empty()) device_.held_lock_ = std::make_unique<FileLock>(path);
    }
  } catch (...) {
    --device_.exclusive_depth_;
    device_.mutex_.unlock();
    throw;
  }
}

Device::Exclusive::~Exclusive() {
  if (--device_.exclusive_depth_ == 0) device_.held_lock_.reset();
  device_.mutex_.unlock();
}

void Device::create_object(const ObjectSpec& spec) {
  wire::CreateObjectRequest r;
  r.id = spec.id;
  r.type = static_cast<uint8_t>(spec.type);
  r.properties = static_cast<uint8_t>(spec.property);
  std::copy(std::begin(spec.rules), std::end(spec.rules), r.rules);
  r.length = spec.length;
  forget(spec.id);
  command(Command::CreateObject, wire::encode_create_object(r), Retry::OnlyIfNotExecuted, 0,
          "create object " + hex16(spec.id));
}

void Device::delete_object(uint16_t id) {
  forget(id);
  command(Command::DeleteObject, wire::encode_object_id(id), Retry::OnlyIfNotExecuted, 0,
          "delete object " + hex16(id));
}

Bytes Device::read_object(uint16_t id, uint16_t offset, uint16_t length) {
  const std::string what = "read object " + hex16(id);
  Bytes r = command(Command::ReadObject, wire::encode_read_object({id, offset, length}),
                    Retry::Safe, length ? length : 128, what);
  if (length && r.size() > length)
    bad_answer(what, std::to_string(r.size()) + " bytes for " + std::to_string(length));
  return r;
}

void Device::write_object(uint16_t id, uint16_t offset, ByteView data) {
  command(Command::WriteObject, wire::encode_write_object(id, offset, data), Retry::Safe, 0,
          "write object " + hex16(id));
}

void Device::write_object_chunked(uint16_t id, ByteView data) {
  constexpr size_t kChunk = wire::kMaxHostCommandPayload - 4;  // id and offset
  // Offsets are 16 bits: beyond that the object cannot be addressed.
  if (data.size() > 0xFFFF)
    throw Error("write object " + hex16(id) + ": " + std::to_string(data.size()) +
                " bytes do not fit an object (at most 65535)");
  for (size_t off = 0; off < data.size(); off += kChunk)
    write_object(id, static_cast<uint16_t>(off), data.subview(off, kChunk));
}

std::vector<uint16_t> Device::object_ids() {
  const std::string what = "list objects";
  constexpr size_t kExpectedIds = 16;  // a typical chip; more costs one round trip
  Bytes r = command(Command::ListObjects, wire::encode_list_all_ids(), Retry::Safe,
                    2 * kExpectedIds, what);
  return parse_response(what, [&] {
    std::vector<uint16_t> ids = wire::decode_id_list(r);
    for (size_t i = 1; i < ids.size(); ++i)
      if (ids[i] <= ids[i - 1]) bad_answer(what, "object ids out of order or repeated");
    return ids;
  });
}

ObjectInfo Device::object_info(uint16_t id) {
  const std::string what = "list object " + hex16(id);
  Bytes r = command(Command::ListObjects, wire::encode_list_details(id), Retry::Safe,
                    wire::kKeyObjectRecordBytes, what);
  return parse_response(what, [&] {
    wire::ObjectRecord rec = wire::decode_object_record(r);
    if (rec.id != id) bad_answer(what, "the record is of object " + hex16(rec.id));
    if (rec.type < static_cast<uint8_t>(wire::ObjectType::SecretKey) ||
        rec.type > static_cast<uint8_t>(wire::ObjectType::CounterAlt))
      bad_answer(what, "object type " + std::to_string(rec.type));
    ObjectInfo o;
    o.id = rec.id;
    o.type = static_cast<wire::ObjectType>(rec.type);
    o.properties = rec.properties;
    o.initialised = rec.state != wire::kObjectStateEmpty;
    std::copy(std::begin(rec.rules), std::end(rec.rules), o.rules);
    o.length = rec.length;
    o.key = rec.key;
    return o;
  });
}

std::vector<ObjectInfo> Device::list_objects() {
  Exclusive hold(*this);  // one consistent listing
  std::vector<ObjectInfo> out;
  for (uint16_t id : object_ids()) out.push_back(object_info(id));
  return out;
}

void Device::set_lifecycle(wire::Lifecycle state) {
  PayloadWriter w;
  w.u8(static_cast<uint8_t>(state));
  command(Command::SetLifecycle, w.bytes(), Retry::OnlyIfNotExecuted, 0, "set lifecycle");
}

void Device::signed_import(Command cmd, uint16_t id, Bytes body, const CredentialKey& key_import,
                           const std::string& what) {
  wire::SignedImport s;
  s.object_id = id;
  s.signature = key_import.sign(body);  // the chip checks it with object 0x1000
  s.body = std::move(body);
  Bytes payload = wire::encode_signed_import(s);
  if (payload.size() > wire::kMaxHostCommandPayload)
    throw Error(what + ": the request would carry " + std::to_string(payload.size()) +
                " bytes, more than a MAXQ1061 command takes (" +
                std::to_string(wire::kMaxHostCommandPayload) +
                "; the import is one command, so a certificate can have about " +
                std::to_string(wire::kMaxHostCommandPayload - kSignedImportOverhead -
                               wire::kCertificateHeaderBytes) +
                " bytes of DER): use a smaller certificate (fewer extensions, an EC issuer)");
  command(cmd, payload, Retry::OnlyIfNotExecuted, 0, what);
}

namespace {

wire::KeyDescriptor descriptor_for(const wire::CurveInfo& curve, KeyUse use) {
  wire::KeyDescriptor d;
  d.curve = static_cast<uint8_t>(curve.curve);
  d.component_length = static_cast<uint16_t>(curve.field_bytes);
  d.usage1 = static_cast<uint8_t>(use.usage1);
  d.algorithm1 = static_cast<uint8_t>(use.algorithm1);
  d.usage2 = static_cast<uint8_t>(use.usage2);
  d.algorithm2 = static_cast<uint8_t>(use.algorithm2);
  return d;
}

}  // namespace

PublicKey Device::generate_key(uint16_t id, wire::Curve curve, const CredentialKey& key_import,
                               KeyUse use) {
  const std::string what = "generate key in object " + hex16(id);
  auto info = wire::curve_info(curve);
  if (!info) throw Error(what + ": curve id " + std::to_string(static_cast<int>(curve)) +
                         " is not one the MAXQ1061 knows");
  forget(id);
  signed_import(Command::ImportKey, id, wire::encode_key_descriptor(descriptor_for(*info, use), {}),
                key_import, what);
  // The part answers the import with no data: the new public key is read.
  remember_field_bytes(id, info->field_bytes);
  PublicKey key = read_public(id);
  if (key.curve != curve)
    bad_answer(what, "the new key is not on " + std::string(info->sn));
  return key;
}

void Device::import_public_key(uint16_t id, const PublicKey& key, const CredentialKey& key_import,
                               KeyUse use) {
  const std::string what = "import public key into " + hex16(id);
  auto info = wire::curve_info(key.curve);
  if (!info || key.xy.size() != 2 * info->field_bytes)
    throw Error(what + ": not a public key X || Y of a curve the MAXQ1061 knows");
  signed_import(Command::ImportKey, id, wire::encode_key_descriptor(descriptor_for(*info, use), key.xy),
                key_import, what);
  remember_public(id, key);
}

void Device::import_certificate(uint16_t id, ByteView der, const CredentialKey& key_import) {
  const std::string what = "import certificate into " + hex16(id);
  // The curve of the certified key comes from the point in the DER.
  auto parts = wire::certificate_parts(der);
  if (!parts) throw Error(what + ": not a DER X.509 certificate");
  ByteView point = der.subview(parts->public_key_offset, parts->public_key_bytes);
  std::optional<wire::Curve> curve;
  if (point.size() > 1 && point[0] == 0x04 && point.size() % 2 == 1)
    curve = signature_check().curve_of_point(point.subview(1));
  auto info = curve ? wire::curve_info(*curve) : std::nullopt;
  if (!info)
    throw Error(what + ": the certificate's key is not an uncompressed EC point on a curve the "
                       "MAXQ1061 knows (P-256, P-384, P-521, brainpool 256/384/512)");
  auto header = wire::certificate_header_for(der, *info, wire::kKeyImportKeyId);
  if (!header) throw Error(what + ": the certificate does not fit the chip's certificate header");
  signed_import(Command::ImportRootCert, id, wire::encode_certificate_request(*header, der),
                key_import, what);
}

Bytes Device::read_certificate(uint16_t id) {
  const std::string what = "read certificate " + hex16(id);
  // Header and DER in one read: a certificate the chip took fits one answer.
  constexpr size_t kTypicalRequest = 1024;
  Bytes all = command(Command::ReadObject,
                      wire::encode_read_object({id, 0, static_cast<uint16_t>(wire::kMaxPayload)}),
                      Retry::Safe, kTypicalRequest, what);
  if (all.size() < wire::kCertificateHeaderBytes)
    bad_answer(what, "no certificate header (" + std::to_string(all.size()) + " bytes)");
  wire::CertificateHeader h =
      parse_response(what, [&] { return wire::decode_certificate_header(all); });
  while (all.size() < wire::kCertificateHeaderBytes + h.der_length) {
    Bytes part = read_object(id, static_cast<uint16_t>(all.size()),
                             static_cast<uint16_t>(wire::kMaxPayload));
    if (part.empty()) bad_answer(what, "the certificate ends before its announced length");
    all.insert(all.end(), part.begin(), part.end());
  }
  Bytes der(all.begin() + wire::kCertificateHeaderBytes,
            all.begin() + static_cast<std::ptrdiff_t>(wire::kCertificateHeaderBytes + h.der_length));
  auto parts = wire::certificate_parts(der);
  if (!parts || parts->public_key_offset != h.public_key_offset ||
      parts->tbs_length != h.tbs_length)
    bad_answer(what, "the stored DER does not match its header");
  return der;
}

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
    if (candidate && (info.type == wire::ObjectType::KeyPair ||
                      info.type == wire::ObjectType::PublicKey) &&
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

void Device::require_raw_ecdh(const std::string& what) const {
  if (link_->reaches_hardware())
    throw UnsupportedError(
        what + " on " + describe() +
        ": a MAXQ1061 returns no raw ECDH secret (its ECDH lives inside its TLS 1.2 engine); "
        "on-chip ECDH(E) is an extension of the simulated chip only. Keep ECDHE in software "
        "with the identity key on the chip (profile A of openssl.cnf.example: no "
        "default_properties line)");
}

SecretBytes Device::ecdh(uint16_t id, ByteView peer_xy) {
  const std::string what = "key exchange with key " + hex16(id);
  require_raw_ecdh(what);
  wire::SimulatorEcdhRequest q;
  q.key_id = id;
  q.peer_point.reserve(1 + peer_xy.size());
  q.peer_point.push_back(0x04);
  q.peer_point.insert(q.peer_point.end(), peer_xy.begin(), peer_xy.end());
  Bytes payload = wire::encode_simulator_ecdh(q);
  Bytes r = command(Command::KeyExchange, payload, Retry::Safe, peer_xy.size() / 2, what);
  secure_zero(payload.data(), payload.size());
  SecretBytes secret{ByteView(r)};
  secure_zero(r.data(), r.size());
  if (secret.size() * 2 != peer_xy.size())
    bad_answer(what, "a secret of " + std::to_string(secret.size()) + " bytes");
  return secret;
}

Bytes Device::random(size_t n) {
  Bytes out;
  out.reserve(n);
  while (out.size() < n) {
    size_t chunk = std::min(n - out.size(), wire::kMaxRandomPerCommand);
    Bytes r = command(Command::GetChallenge,
                      wire::encode_challenge_request(static_cast<uint16_t>(chunk)), Retry::Safe,
                      chunk, "get random");
    if (r.size() != chunk) {
      secure_zero(r.data(), r.size());
      secure_zero(out.data(), out.size());
      bad_answer("get random", std::to_string(r.size()) + " bytes for " + std::to_string(chunk));
    }
    out.insert(out.end(), r.begin(), r.end());
    secure_zero(r.data(), r.size());  // seeds DRBGs: no stray copies
  }
  return out;
}

PublicKey Device::read_public(uint16_t id) {
  const std::string what = "read object " + hex16(id);
  const size_t hint = field_bytes_hint(id);
  Bytes r = command(Command::ReadObject,
                    wire::encode_read_object({id, 0, static_cast<uint16_t>(2 * kLargestField)}),
                    Retry::Safe, 2 * hint, what);
  // X || Y: its size names the field, the point itself the curve.
  std::optional<wire::Curve> curve;
  if (!r.empty() && r.size() % 2 == 0 && r.size() <= 2 * kLargestField)
    curve = signature_check().curve_of_point(r);
  if (!curve)
    bad_answer(what, "not a public key X || Y on a curve the MAXQ1061 knows (" +
                         std::to_string(r.size()) + " bytes)");
  PublicKey key{*curve, std::move(r)};
  remember_public(id, key);
  return key;
}

}  // namespace maxq::transport
