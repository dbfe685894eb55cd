// The typed commands: request layouts and response parsing exactly as in
// wire/protocol.h. Every response is parsed as untrusted input and its length
// checked; plumbing (locks, retries, trace) is in device_exchange.cc.
#include "transport/device.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "transport/admin_key.h"
#include "transport/signature_check.h"

namespace maxq::transport {

using wire::Command;

namespace {

constexpr size_t kLargestField = 66;  // P-521
constexpr size_t kLargestSignature = 2 * kLargestField;
constexpr size_t kChallengeForAuth = 32;

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
  Bytes r = command(Command::GetStatus, {}, Retry::Safe, wire::kStatusResponseBytes, what);
  return parse_response(what, [&] {
    PayloadReader in(r, what);
    ChipStatus s;
    ByteView name = in.bytes(wire::kProductNameBytes);
    s.product.assign(name.begin(), std::find(name.begin(), name.end(), uint8_t{0}));
    ByteView fw = in.bytes(s.firmware.size());
    std::copy(fw.begin(), fw.end(), s.firmware.begin());
    ByteView serial = in.bytes(wire::kSerialBytes);
    std::copy(serial.begin(), serial.end(), s.serial.begin());
    uint8_t lc = in.u8();
    if (lc < static_cast<uint8_t>(wire::Lifecycle::Delivery) ||
        lc > static_cast<uint8_t>(wire::Lifecycle::Terminated))
      bad_answer(what, "lifecycle " + std::to_string(lc));
    s.lifecycle = static_cast<wire::Lifecycle>(lc);
    s.free_memory = in.u32();
    s.total_memory = in.u32();
    s.free_temporary_slots = in.u8();
    in.expect_end();
    return s;
  });
}

Bytes Device::challenge(uint16_t length) {
  PayloadWriter w;
  w.u16(length);
  Bytes r = command(Command::GetChallenge, w.bytes(), Retry::Safe, length, "get challenge");
  if (r.size() != length) bad_answer("get challenge", std::to_string(r.size()) + " bytes");
  return r;
}

void Device::admin_authenticate(ByteView signature) {
  PayloadWriter w;
  w.u8(static_cast<uint8_t>(wire::Algorithm::EcdsaSha256)).u16(wire::kAdminKeyId);
  w.u16(static_cast<uint16_t>(signature.size())).bytes(signature);
  // Not repeated on a damaged answer: the attempt consumed the challenge.
  command(Command::AdminAuthenticate, w.bytes(), Retry::OnlyIfNotExecuted, 0, "admin authenticate");
}

void Device::authenticate(const AdminKey& key) {
  Bytes c = challenge(kChallengeForAuth);
  admin_authenticate(key.sign_challenge(c));
}

void Device::create_object(const ObjectSpec& spec) {
  PayloadWriter w;
  w.u16(spec.id).u8(static_cast<uint8_t>(spec.type)).u8(static_cast<uint8_t>(spec.property));
  w.bytes(ByteView(spec.rules, wire::kAccessRuleBytes)).u16(spec.length).zeros(4);
  forget(spec.id);
  command(Command::CreateObject, w.bytes(), Retry::OnlyIfNotExecuted, 0,
          "create object " + hex16(spec.id));
}

void Device::delete_object(uint16_t id) {
  PayloadWriter w;
  w.u16(id);
  forget(id);
  command(Command::DeleteObject, w.bytes(), Retry::OnlyIfNotExecuted, 0,
          "delete object " + hex16(id));
}

Bytes Device::read_object(uint16_t id, uint16_t offset, uint16_t length) {
  return read(id, offset, length, length ? length : 128);
}

Bytes Device::read(uint16_t id, uint16_t offset, uint16_t length, size_t expected) {
  PayloadWriter w;
  w.u16(id).u16(offset).u16(length);
  const std::string what = "read object " + hex16(id);
  Bytes r = command(Command::ReadObject, w.bytes(), Retry::Safe, expected, what);
  if (length && r.size() != length)
    bad_answer(what, std::to_string(r.size()) + " bytes for " + std::to_string(length));
  return r;
}

void Device::write_object(uint16_t id, uint16_t offset, ByteView data) {
  PayloadWriter w;
  w.u16(id).u16(offset).bytes(data);
  command(Command::WriteObject, w.bytes(), Retry::Safe, 0, "write object " + hex16(id));
}

void Device::write_object_chunked(uint16_t id, ByteView data) {
  constexpr size_t kChunk = wire::kMaxPayload - 4;  // id and offset
  // Offsets are 16 bits: beyond that the object cannot be addressed.
  if (data.size() > 0xFFFF)
    throw Error("write object " + hex16(id) + ": " + std::to_string(data.size()) +
                " bytes do not fit an object (at most 65535)");
  for (size_t off = 0; off < data.size(); off += kChunk)
    write_object(id, static_cast<uint16_t>(off), data.subview(off, kChunk));
}

std::vector<ObjectInfo> Device::list_objects() {
  const std::string what = "list objects";
  constexpr size_t kExpectedEntries = 8;  // a typical chip; more costs one round trip
  std::vector<ObjectInfo> out;
  uint32_t start = 0;
  while (start <= 0xFFFF) {
    PayloadWriter w;
    w.u16(static_cast<uint16_t>(start));
    Bytes r = command(Command::ListObjects, w.bytes(), Retry::Safe,
                      2 + kExpectedEntries * wire::kListEntryBytes, what);
    bool more = parse_response(what, [&] {
      PayloadReader in(r, what);
      bool more_pages = in.u8() != 0;
      uint8_t count = in.u8();
      for (uint8_t i = 0; i < count; ++i) out.push_back(parse_list_entry(in, what, out, start));
      in.expect_end();
      return more_pages && count > 0;
    });
    if (!more) break;
    start = uint32_t{out.back().id} + 1;
  }
  return out;
}

ObjectInfo Device::parse_list_entry(PayloadReader& in, const std::string& what,
                                    const std::vector<ObjectInfo>& so_far, uint32_t start) {
  ObjectInfo o;
  o.id = in.u16();
  uint8_t type = in.u8(), prop = in.u8(), curve = in.u8();
  if (type < static_cast<uint8_t>(wire::ObjectType::SecretKey) ||
      type > static_cast<uint8_t>(wire::ObjectType::CounterAlt))
    bad_answer(what, "object " + hex16(o.id) + " has type " + std::to_string(type));
  if (prop != static_cast<uint8_t>(wire::ObjectProperty::Temporary) &&
      prop != static_cast<uint8_t>(wire::ObjectProperty::Persistent))
    bad_answer(what, "object " + hex16(o.id) + " has property " + std::to_string(prop));
  o.type = static_cast<wire::ObjectType>(type);
  o.property = static_cast<wire::ObjectProperty>(prop);
  if (curve != wire::kNoCurve) {
    auto info = wire::curve_info(curve);
    if (!info) bad_answer(what, "object " + hex16(o.id) + " has curve " + std::to_string(curve));
    o.curve = info->curve;
    remember_field_bytes(o.id, info->field_bytes);
  }
  o.length = in.u16();
  o.used = in.u16();
  ByteView rules = in.bytes(wire::kAccessRuleBytes);
  std::copy(rules.begin(), rules.end(), o.rules);
  // Ascending ids from `start`: also what guarantees that paging ends.
  if (o.id < start || (!so_far.empty() && o.id <= so_far.back().id))
    bad_answer(what, "ids out of order");
  return o;
}

void Device::set_lifecycle(wire::Lifecycle state) {
  PayloadWriter w;
  w.u8(static_cast<uint8_t>(state));
  command(Command::SetLifecycle, w.bytes(), Retry::OnlyIfNotExecuted, 0, "set lifecycle");
}

PublicKey Device::generate_key(uint16_t id, wire::Curve curve) {
  // A curve the host does not know goes to the chip anyway: the chip decides
  // (CurveNotSupported), and an answer for it cannot be checked, so is refused.
  auto info = wire::curve_info(static_cast<uint8_t>(curve));
  const std::string what = "generate key in object " + hex16(id);
  PayloadWriter w;
  w.u16(id).u8(static_cast<uint8_t>(curve)).u8(wire::kImportGenerate);
  Bytes r = command(Command::ImportKey, w.bytes(), Retry::OnlyIfNotExecuted,
                    2 * (info ? info->field_bytes : kLargestField), what);
  if (!info || r.size() != 2 * info->field_bytes)
    bad_answer(what, "a public key of " + std::to_string(r.size()) + " bytes");
  PublicKey key{curve, std::move(r)};
  remember_public(id, key);
  return key;
}

void Device::import_public_key(uint16_t id, const PublicKey& key) {
  PayloadWriter w;
  w.u16(id).u8(static_cast<uint8_t>(key.curve)).u8(wire::kImportPublic).bytes(key.xy);
  command(Command::ImportKey, w.bytes(), Retry::Safe, 0, "import public key into " + hex16(id));
  remember_public(id, key);
}

Bytes Device::sign(uint16_t id, ByteView digest, const PublicKey* given) {
  const std::string what = "sign with key " + hex16(id);
  if (options_.verify_signatures == SignatureChecking::Never) return sign_once(id, digest, what);
  if (given && !is_known_public(id, *given)) {
    // The answer's size, so that the first sign takes one round trip; a
    // confirmed key has it already (remember_public).
    if (auto info = wire::curve_info(static_cast<uint8_t>(given->curve)))
      remember_field_bytes(id, info->field_bytes);
    return sign_given(id, digest, *given, what);
  }
  for (unsigned attempt = 1;; ++attempt) {
    Bytes r = sign_once(id, digest, what);
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
  for (unsigned attempt = 1;; ++attempt) {
    Bytes r = sign_once(id, digest, what);
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

Bytes Device::sign_once(uint16_t id, ByteView digest, const std::string& what) {
  PayloadWriter w;
  w.u8(wire::kModeSign).u8(static_cast<uint8_t>(wire::Algorithm::EcdsaDigest)).u16(id).u8(0);
  w.u16(static_cast<uint16_t>(digest.size())).bytes(digest).u16(0);
  Bytes r = command(Command::SignVerify, w.bytes(), Retry::Safe, 2 * field_bytes_hint(id), what);
  if (r.empty() || r.size() % 2 != 0 || r.size() > kLargestSignature)
    bad_answer(what, "a signature of " + std::to_string(r.size()) + " bytes");
  return r;
}

bool Device::verify(uint16_t id, ByteView digest, ByteView signature) {
  PayloadWriter w;
  w.u8(wire::kModeVerify).u8(static_cast<uint8_t>(wire::Algorithm::EcdsaDigest)).u16(id).u8(0);
  w.u16(static_cast<uint16_t>(digest.size())).bytes(digest);
  w.u16(static_cast<uint16_t>(signature.size())).bytes(signature);
  const std::string what = "verify with key " + hex16(id);
  try {
    Bytes r = command(Command::SignVerify, w.bytes(), Retry::Safe, 0, what);
    if (!r.empty()) bad_answer(what, std::to_string(r.size()) + " unexpected bytes");
  } catch (const ChipError& e) {
    if (e.status() == static_cast<uint16_t>(wire::Status::BadSignature)) return false;
    throw;
  }
  return true;
}

SecretBytes Device::ecdh(uint16_t id, ByteView peer_xy) {
  const std::string what = "key exchange with key " + hex16(id);
  PayloadWriter w;
  w.u16(id).u16(static_cast<uint16_t>(peer_xy.size())).bytes(peer_xy);
  Bytes r = command(Command::KeyExchange, w.bytes(), Retry::Safe, peer_xy.size() / 2, what);
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
    PayloadWriter w;
    w.u16(static_cast<uint16_t>(chunk));
    Bytes r = command(Command::GetRandom, w.bytes(), Retry::Safe, chunk, "get random");
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
  Bytes r = read(id, 0, 0, 1 + 2 * field_bytes_hint(id));
  if (r.empty()) bad_answer(what, "no data for a key object");
  auto info = wire::curve_info(r[0]);
  if (!info || r.size() != 1 + 2 * info->field_bytes)
    bad_answer(what, "not a public key (curve byte " + std::to_string(r[0]) + ", " +
                         std::to_string(r.size()) + " bytes)");
  PublicKey key{info->curve, Bytes(r.begin() + 1, r.end())};
  remember_public(id, key);
  return key;
}

}  // namespace maxq::transport
