// The Device's commands of status, admin sessions, objects and random
// numbers: request layouts and response parsing through wire/*_layout.h.
// Every response is parsed as untrusted input and its length checked; keys are
// in device_keys.cc, signatures in device_signing.cc, plumbing (locks,
// retries, trace) in device_exchange.cc.
#include "transport/device.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "transport/credential_key.h"
#include "transport/device_answers.h"
#include "transport/file_lock.h"
#include "wire/admin_layout.h"

namespace maxq::transport {

using wire::Command;
using namespace answers;

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
    if (p.free_memory > p.total_memory) bad_answer(what, "more free memory than there is in all");
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
  command(Command::AdminAuthenticate, wire::encode_admin_login(login), Retry::OnlyIfNotExecuted, 0,
          "admin authenticate");
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

Bytes Device::random(size_t n) {
  Bytes out;
  out.reserve(n);
  while (out.size() < n) {
    size_t chunk = std::min(n - out.size(), wire::kMaxRandomPerCommand);
    Bytes r =
        command(Command::GetChallenge, wire::encode_challenge_request(static_cast<uint16_t>(chunk)),
                Retry::Safe, chunk, "get random");
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

}  // namespace maxq::transport
