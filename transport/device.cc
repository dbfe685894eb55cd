#include "transport/device.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "transport/admin_key.h"
#include "transport/file_lock.h"
#include "wire/frame_codec.h"

namespace maxq::transport {

using wire::Command;

namespace {

std::string hex16(uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%04x", v);
  return b;
}

const wire::CurveInfo& curve_of(wire::Curve c) {
  static const auto table = [] {
    std::array<wire::CurveInfo, 6> t{};
    for (uint8_t i = 0; i < 6; ++i) t[i] = *wire::curve_info(i);
    return t;
  }();
  return table.at(static_cast<uint8_t>(c));
}

void all_states(uint8_t (&rules)[wire::kAccessRuleBytes], wire::Operation op, uint8_t roles) {
  for (auto s : {wire::Lifecycle::Delivery, wire::Lifecycle::Initialized, wire::Lifecycle::Operational})
    wire::set_rule_roles(rules, s, op, roles);
}

bool debug_enabled() {
  const char* v = std::getenv("MAXQ1061_DEBUG");
  return v && *v && std::string(v) != "0";
}

}  // namespace

// ---- ObjectSpec factories -------------------------------------------------

ObjectSpec ObjectSpec::key_pair(uint16_t id, wire::Curve curve) {
  ObjectSpec s;
  s.id = id;
  s.type = wire::ObjectType::KeyPair;
  s.length = static_cast<uint16_t>(curve_of(curve).field_bytes);
  all_states(s.rules, wire::Operation::Read, wire::kRoleEveryone | wire::kRoleAdmin);
  all_states(s.rules, wire::Operation::Execute, wire::kRoleEveryone | wire::kRoleAdmin);
  all_states(s.rules, wire::Operation::Write, wire::kRoleAdmin);
  all_states(s.rules, wire::Operation::Delete, wire::kRoleAdmin);
  all_states(s.rules, wire::Operation::Generate, wire::kRoleAdmin);
  return s;
}

ObjectSpec ObjectSpec::temporary_key_pair(uint16_t id, wire::Curve curve) {
  ObjectSpec s = key_pair(id, curve);
  s.property = wire::ObjectProperty::Temporary;
  uint8_t all = wire::kRoleEveryone | wire::kRoleAdmin;
  for (auto op : {wire::Operation::Write, wire::Operation::Delete, wire::Operation::Generate})
    all_states(s.rules, op, all);
  return s;
}

ObjectSpec ObjectSpec::certificate(uint16_t id, uint16_t capacity) {
  ObjectSpec s = data(id, capacity);
  s.type = wire::ObjectType::Certificate;
  return s;
}

ObjectSpec ObjectSpec::data(uint16_t id, uint16_t capacity) {
  ObjectSpec s;
  s.id = id;
  s.type = wire::ObjectType::Data;
  s.length = capacity;
  all_states(s.rules, wire::Operation::Read, wire::kRoleEveryone | wire::kRoleAdmin);
  all_states(s.rules, wire::Operation::Write, wire::kRoleAdmin);
  all_states(s.rules, wire::Operation::Delete, wire::kRoleAdmin);
  return s;
}

ObjectSpec ObjectSpec::public_key(uint16_t id, wire::Curve curve) {
  ObjectSpec s = key_pair(id, curve);
  s.type = wire::ObjectType::PublicKey;
  return s;
}

// ---- command plumbing -----------------------------------------------------

Device::Device(std::unique_ptr<Link> link, DeviceOptions options)
    : link_(std::move(link)), options_(options) {}
Device::~Device() = default;

std::string Device::describe() const { return link_->describe(); }

Bytes Device::command(Command cmd, ByteView payload, Retry retry, size_t expected_payload,
                      const std::string& what) {
  Bytes frame = wire::encode_command(cmd, payload);
  std::lock_guard<std::mutex> guard(mutex_);
  std::optional<FileLock> lock;
  std::string lock_path = link_->lock_path();
  if (!lock_path.empty()) lock.emplace(lock_path);
  return exchange_locked(cmd, frame, retry, expected_payload, what);
}

Bytes Device::exchange_locked(Command cmd, ByteView frame, Retry retry, size_t expected_payload,
                              const std::string& what) {
  static const bool debug = debug_enabled();
  auto t0 = std::chrono::steady_clock::now();
  std::string last_problem;
  unsigned timeouts = 0;
  for (unsigned attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    wire::ResponseFrame rsp;
    try {
      Bytes raw = link_->transact(frame, expected_payload);
      wire::FrameError e = wire::decode_response(raw, rsp);
      if (e != wire::FrameError::None) throw ProtocolError(std::string(wire::frame_error_name(e)));
    } catch (const Error& e) {
      // Damaged or lost on the bus. Safe commands are sent again.
      last_problem = e.what();
      link_->reset();
      const auto* link_error = dynamic_cast<const LinkError*>(&e);
      bool timeout = link_error && link_error->kind() == LinkError::Kind::Timeout;
      bool permanent = link_error && !timeout;
      if (timeout) ++timeouts;
      if (retry == Retry::Safe && !permanent && attempt < options_.max_attempts &&
          timeouts < options_.max_timeouts)
        continue;
      if (dynamic_cast<const LinkError*>(&e))
        throw LinkError(static_cast<const LinkError&>(e).kind(), what + " on " + describe() + ": " + e.what());
      throw ProtocolError(what + " on " + describe() + ": the response was damaged on the bus (" +
                          last_problem + ") after " + std::to_string(attempt) +
                          " attempt(s); check the wiring and the SPI clock");
    }
    if (debug) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
      std::fprintf(stderr, "maxq1061: %s: %s, status 0x%04x, %zu bytes out, %zu in, attempt %u, %lld us\n",
                   describe().c_str(), what.c_str(), rsp.status, frame.size(), rsp.payload.size(),
                   attempt, static_cast<long long>(us));
    }
    if (rsp.status == static_cast<uint16_t>(wire::Status::FrameError) && attempt < options_.max_attempts) {
      // The chip did not execute a damaged command: any command may be resent.
      last_problem = "the chip received a damaged frame";
      link_->reset();
      continue;
    }
    if (rsp.status != 0) throw make_chip_error(static_cast<uint8_t>(cmd), rsp.status, what);
    return std::move(rsp.payload);
  }
  throw ProtocolError(what + " on " + describe() + ": " + last_problem + " after " +
                      std::to_string(options_.max_attempts) + " attempts; check the wiring");
}

// ---- one method per command -----------------------------------------------

Bytes Device::ping(ByteView data) {
  Bytes r = command(Command::Ping, data, Retry::Safe, data.size(), "ping");
  if (r.size() != data.size()) throw ProtocolError("ping: the chip echoed " + std::to_string(r.size()) + " bytes");
  return r;
}

ChipStatus Device::status() {
  Bytes r = command(Command::GetStatus, {}, Retry::Safe, wire::kStatusResponseBytes, "get status");
  PayloadReader in(r, "get status response");
  ChipStatus s;
  ByteView name = in.bytes(wire::kProductNameBytes);
  s.product.assign(name.begin(), name.end());
  s.product.erase(s.product.find_last_not_of('\0') + 1);
  ByteView fw = in.bytes(4);
  std::copy(fw.begin(), fw.end(), s.firmware.begin());
  ByteView serial = in.bytes(wire::kSerialBytes);
  std::copy(serial.begin(), serial.end(), s.serial.begin());
  uint8_t lc = in.u8();
  if (lc < 3 || lc > 6) throw ProtocolError("get status: the chip reported lifecycle " + std::to_string(lc));
  s.lifecycle = static_cast<wire::Lifecycle>(lc);
  s.free_memory = in.u32();
  s.total_memory = in.u32();
  s.free_temporary_slots = in.u8();
  in.expect_end();
  return s;
}

Bytes Device::challenge(uint16_t length) {
  PayloadWriter w;
  w.u16(length);
  Bytes r = command(Command::GetChallenge, w.bytes(), Retry::Safe, length, "get challenge");
  if (r.size() != length) throw ProtocolError("get challenge: wrong challenge length");
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
  Bytes c = challenge(32);
  admin_authenticate(key.sign_challenge(c));
}

void Device::create_object(const ObjectSpec& spec) {
  PayloadWriter w;
  w.u16(spec.id).u8(static_cast<uint8_t>(spec.type)).u8(static_cast<uint8_t>(spec.property));
  w.bytes(ByteView(spec.rules, wire::kAccessRuleBytes)).u16(spec.length).zeros(4);
  command(Command::CreateObject, w.bytes(), Retry::OnlyIfNotExecuted, 0, "create object " + hex16(spec.id));
}

void Device::delete_object(uint16_t id) {
  PayloadWriter w;
  w.u16(id);
  command(Command::DeleteObject, w.bytes(), Retry::OnlyIfNotExecuted, 0, "delete object " + hex16(id));
}

Bytes Device::read_object(uint16_t id, uint16_t offset, uint16_t length) {
  PayloadWriter w;
  w.u16(id).u16(offset).u16(length);
  Bytes r = command(Command::ReadObject, w.bytes(), Retry::Safe, length ? length : 128,
                    "read object " + hex16(id));
  if (length && r.size() != length) throw ProtocolError("read object " + hex16(id) + ": short answer");
  return r;
}

void Device::write_object(uint16_t id, uint16_t offset, ByteView data) {
  PayloadWriter w;
  w.u16(id).u16(offset).bytes(data);
  command(Command::WriteObject, w.bytes(), Retry::Safe, 0, "write object " + hex16(id));
}

void Device::write_object_chunked(uint16_t id, ByteView data) {
  constexpr size_t kChunk = wire::kMaxPayload - 4;
  for (size_t off = 0; off < data.size(); off += kChunk)
    write_object(id, static_cast<uint16_t>(off), data.subview(off, kChunk));
}

std::vector<ObjectInfo> Device::list_objects() {
  std::vector<ObjectInfo> out;
  uint32_t start = 0;
  for (;;) {
    PayloadWriter w;
    w.u16(static_cast<uint16_t>(start));
    Bytes r = command(Command::ListObjects, w.bytes(), Retry::Safe, 512, "list objects");
    PayloadReader in(r, "list objects response");
    bool more = in.u8() != 0;
    uint8_t count = in.u8();
    for (uint8_t i = 0; i < count; ++i) {
      ObjectInfo o;
      o.id = in.u16();
      uint8_t type = in.u8(), prop = in.u8(), curve = in.u8();
      if (type < 1 || type > 7 || (prop != 1 && prop != 2))
        throw ProtocolError("list objects: the chip reported an invalid object");
      o.type = static_cast<wire::ObjectType>(type);
      o.property = static_cast<wire::ObjectProperty>(prop);
      if (curve != wire::kNoCurve) {
        if (!wire::curve_info(curve)) throw ProtocolError("list objects: unknown curve");
        o.curve = static_cast<wire::Curve>(curve);
      }
      o.length = in.u16();
      o.used = in.u16();
      ByteView rules = in.bytes(wire::kAccessRuleBytes);
      std::copy(rules.begin(), rules.end(), o.rules);
      if (!out.empty() && o.id <= out.back().id) throw ProtocolError("list objects: ids out of order");
      out.push_back(o);
    }
    in.expect_end();
    if (!more || count == 0) break;
    start = uint32_t{out.back().id} + 1;
    if (start > 0xFFFF) break;
  }
  return out;
}

void Device::set_lifecycle(wire::Lifecycle state) {
  PayloadWriter w;
  w.u8(static_cast<uint8_t>(state));
  command(Command::SetLifecycle, w.bytes(), Retry::OnlyIfNotExecuted, 0, "set lifecycle");
}

PublicKey Device::generate_key(uint16_t id, wire::Curve curve) {
  const wire::CurveInfo& info = curve_of(curve);
  PayloadWriter w;
  w.u16(id).u8(static_cast<uint8_t>(curve)).u8(wire::kImportGenerate);
  Bytes r = command(Command::ImportKey, w.bytes(), Retry::OnlyIfNotExecuted, 2 * info.field_bytes,
                    "generate key in object " + hex16(id));
  if (r.size() != 2 * info.field_bytes) throw ProtocolError("generate key: wrong public key size");
  return {curve, std::move(r)};
}

void Device::import_public_key(uint16_t id, const PublicKey& key) {
  PayloadWriter w;
  w.u16(id).u8(static_cast<uint8_t>(key.curve)).u8(wire::kImportPublic).bytes(key.xy);
  command(Command::ImportKey, w.bytes(), Retry::Safe, 0, "import public key into " + hex16(id));
}

Bytes Device::sign(uint16_t id, ByteView digest) {
  PayloadWriter w;
  w.u8(wire::kModeSign).u8(static_cast<uint8_t>(wire::Algorithm::EcdsaDigest)).u16(id).u8(0);
  w.u16(static_cast<uint16_t>(digest.size())).bytes(digest).u16(0);
  Bytes r = command(Command::SignVerify, w.bytes(), Retry::Safe, 2 * 66, "sign with key " + hex16(id));
  if (r.empty() || r.size() % 2 != 0 || r.size() > 2 * 66)
    throw ProtocolError("sign with key " + hex16(id) + ": malformed signature from the chip");
  return r;
}

bool Device::verify(uint16_t id, ByteView digest, ByteView signature) {
  PayloadWriter w;
  w.u8(wire::kModeVerify).u8(static_cast<uint8_t>(wire::Algorithm::EcdsaDigest)).u16(id).u8(0);
  w.u16(static_cast<uint16_t>(digest.size())).bytes(digest);
  w.u16(static_cast<uint16_t>(signature.size())).bytes(signature);
  try {
    command(Command::SignVerify, w.bytes(), Retry::Safe, 0, "verify with key " + hex16(id));
  } catch (const ChipError& e) {
    if (e.status() == static_cast<uint16_t>(wire::Status::BadSignature)) return false;
    throw;
  }
  return true;
}

SecretBytes Device::ecdh(uint16_t id, ByteView peer_xy) {
  PayloadWriter w;
  w.u16(id).u16(static_cast<uint16_t>(peer_xy.size())).bytes(peer_xy);
  Bytes r = command(Command::KeyExchange, w.bytes(), Retry::Safe, peer_xy.size() / 2,
                    "key exchange with key " + hex16(id));
  SecretBytes secret{ByteView(r)};
  secure_zero(r.data(), r.size());
  if (secret.size() * 2 != peer_xy.size())
    throw ProtocolError("key exchange with key " + hex16(id) + ": wrong secret size");
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
    if (r.size() != chunk) throw ProtocolError("get random: short answer");
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

PublicKey Device::read_public(uint16_t id) {
  Bytes r = read_object(id, 0, 0);
  if (r.empty()) throw ProtocolError("read object " + hex16(id) + ": empty answer");
  auto info = wire::curve_info(r[0]);
  if (!info || r.size() != 1 + 2 * info->field_bytes)
    throw ProtocolError("read object " + hex16(id) + ": not a public key");
  return {info->curve, Bytes(r.begin() + 1, r.end())};
}

}  // namespace maxq::transport
