#include "simulator/state_codec.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "simulator/state_error.h"

namespace maxq::sim {
namespace {

constexpr size_t kHashBytes = 32;  // SHA-256

[[noreturn]] void refuse(const std::string& path, const std::string& problem) {
  throw StateError(damaged_state_message(path, problem));
}

// Appends big-endian fields to a buffer reserved up front. It never
// reallocates, so no stray copy of a private scalar is left in freed memory.
class FixedWriter {
 public:
  explicit FixedWriter(size_t capacity) { out_.reserve(capacity); }
  void u8(uint8_t v) { put(&v, 1); }
  void u16(uint16_t v) {
    uint8_t b[2] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
    put(b, 2);
  }
  void u64(uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) u8(static_cast<uint8_t>(v >> shift));
  }
  void bytes(ByteView v) { put(v.data(), v.size()); }
  void field(ByteView v) {  // u16 length prefix, then the bytes
    u16(static_cast<uint16_t>(v.size()));
    bytes(v);
  }
  Bytes take() { return std::move(out_); }

 private:
  void put(const uint8_t* p, size_t n) {
    if (n > out_.capacity() - out_.size()) throw std::logic_error("state encoder: size mismatch");
    out_.insert(out_.end(), p, p + n);
  }
  Bytes out_;
};

constexpr uint8_t kNoCurve = 0xFF;
constexpr size_t kPolicyBytes = 5;
constexpr size_t kObjectFixedBytes =
    2 + 1 + 1 + wire::kAccessRuleBytes + 2 + 1 + 1 + kPolicyBytes + 3 * 2;

size_t encoded_size(const PersistentState& s) {
  size_t n = kStatePrefixBytes + wire::kSerialBytes + 1 + 2 + kHashBytes;
  for (const auto& entry : s.objects) {
    const Object& o = entry.second;
    n += kObjectFixedBytes + o.public_xy.size() + o.private_scalar.size() + o.data.size();
  }
  return n;
}

void write_object(FixedWriter& w, const Object& o) {
  w.u16(o.id);
  w.u8(static_cast<uint8_t>(o.type));
  w.u8(o.properties());
  w.bytes(ByteView(o.rules, wire::kAccessRuleBytes));
  w.u16(o.length);
  w.u8(o.curve ? static_cast<uint8_t>(*o.curve) : kNoCurve);
  const wire::KeyPolicy k = o.policy.value_or(wire::KeyPolicy{});
  w.u8(o.policy ? 1 : 0);
  w.u8(k.key_type);
  w.u8(k.usage1);
  w.u8(k.algorithm1);
  w.u8(k.usage2);
  w.u8(k.algorithm2);
  w.field(o.public_xy);
  w.field(o.private_scalar.view());
  w.field(o.data);
}

// Everything a state file could hold that the chip itself would never create
// is refused: the file is damaged or was not written by this simulator.
Object read_object(PayloadReader& r, const std::string& path) {
  Object o;
  o.id = r.u16();
  uint8_t type = r.u8(), properties = r.u8();
  if (type < 1 || type > 7) refuse(path, "holds an object of unknown type " + std::to_string(type));
  if ((properties & static_cast<uint8_t>(~wire::kPropertyWipeOnTamper)) !=
      static_cast<uint8_t>(wire::ObjectProperty::Persistent))
    refuse(path, "holds a non-persistent object");
  o.type = static_cast<wire::ObjectType>(type);
  o.wipe_on_tamper = (properties & wire::kPropertyWipeOnTamper) != 0;
  ByteView rules = r.bytes(wire::kAccessRuleBytes);
  std::copy(rules.begin(), rules.end(), o.rules);
  o.length = r.u16();
  uint8_t curve_id = r.u8();
  uint8_t has_policy = r.u8();
  wire::KeyPolicy k;
  k.key_type = r.u8();
  k.usage1 = r.u8();
  k.algorithm1 = r.u8();
  k.usage2 = r.u8();
  k.algorithm2 = r.u8();
  if (has_policy > 1) refuse(path, "holds an object with a malformed key policy");
  if (has_policy) o.policy = k;
  o.public_xy = r.bytes(r.u16()).to_bytes();
  o.private_scalar = SecretBytes(r.bytes(r.u16()));
  o.data = r.bytes(r.u16()).to_bytes();

  if (curve_id != kNoCurve) {
    auto curve = wire::curve_info(curve_id);
    if (!curve || !o.is_ec_key()) refuse(path, "holds an object with an invalid curve");
    bool scalar_ok = o.type == wire::ObjectType::KeyPair
                         ? o.private_scalar.size() == curve->field_bytes
                         : o.private_scalar.empty();
    if (o.length != wire::key_object_capacity(o.type, *curve) ||
        o.public_xy.size() != 2 * curve->field_bytes || !scalar_ok)
      refuse(path, "holds a key of the wrong size");
    o.curve = curve->curve;
  } else if (!o.public_xy.empty() || !o.private_scalar.empty()) {
    refuse(path, "holds key material without a curve");
  } else if (o.is_ec_key() && !is_key_capacity(o.type, o.length)) {
    refuse(path, "holds a key object of an impossible size");
  }
  if (o.data.size() > o.length || (o.is_ec_key() && !o.data.empty()))
    refuse(path, "holds an object with more data than it can hold");
  return o;
}

}  // namespace

std::string damaged_state_message(const std::string& path, const std::string& problem) {
  return "the simulated chip state file " + path + " " + problem +
         "; it was left untouched. Restore it from a backup, or move it away and provision a "
         "new chip with `maxq1061-tool init --device sim:" +
         path + "`";
}

Bytes encode_state(const PersistentState& s, uint64_t generation, SimCrypto& crypto) {
  FixedWriter w(encoded_size(s));
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(kStateMagic), kStateMagicBytes));
  w.u16(kStateFormatVersion);
  w.u64(generation);
  w.bytes(s.serial);
  w.u8(static_cast<uint8_t>(s.lifecycle));
  w.u16(static_cast<uint16_t>(s.objects.size()));
  for (const auto& entry : s.objects) write_object(w, entry.second);
  Bytes out = w.take();
  Bytes hash = crypto.digest(wire::Algorithm::Sha256, out);
  out.insert(out.end(), hash.begin(), hash.end());  // within the reserved capacity
  return out;
}

std::optional<uint64_t> peek_generation(ByteView prefix) {
  if (prefix.size() < kStatePrefixBytes ||
      std::memcmp(prefix.data(), kStateMagic, kStateMagicBytes) != 0)
    return std::nullopt;
  PayloadReader r(prefix.subview(kStateMagicBytes, 10), "state file prefix");
  if (r.u16() != kStateFormatVersion) return std::nullopt;
  uint64_t high = r.u32();
  return high << 32 | r.u32();
}

PersistentState decode_state(ByteView file, const std::string& path, uint64_t& generation,
                             SimCrypto& crypto) {
  if (file.empty()) refuse(path, "is empty");
  size_t magic_part = std::min(file.size(), kStateMagicBytes);
  if (std::memcmp(file.data(), kStateMagic, magic_part) != 0)
    refuse(path, "is not a MAXQ1061 simulator state file (bad magic)");
  if (file.size() < kStatePrefixBytes + kHashBytes) refuse(path, "is truncated");
  uint16_t version =
      static_cast<uint16_t>(file[kStateMagicBytes] << 8 | file[kStateMagicBytes + 1]);
  if (version < kStateFormatVersion)
    throw StateError("the simulated chip state file " + path + " has format version " +
                     std::to_string(version) + ", written by an older simulator whose chip spoke " +
                     "an earlier protocol; this build reads version " +
                     std::to_string(kStateFormatVersion) +
                     " only and cannot carry its objects over. It was left untouched: move it "
                     "away and provision a new chip with `maxq1061-tool init --device sim:" +
                     path + "`");
  if (version != kStateFormatVersion)
    refuse(path, "has format version " + std::to_string(version) +
                     " but this build of the simulator reads version " +
                     std::to_string(kStateFormatVersion));
  ByteView body = file.subview(0, file.size() - kHashBytes);
  Bytes hash = crypto.digest(wire::Algorithm::Sha256, body);
  if (CRYPTO_memcmp(hash.data(), file.data() + body.size(), kHashBytes) != 0)
    refuse(path, "is corrupt or truncated (integrity check failed)");

  PersistentState s;
  try {
    PayloadReader r(body.subview(kStateMagicBytes + 2), "state file " + path);
    uint64_t high = r.u32();
    generation = high << 32 | r.u32();
    ByteView serial = r.bytes(wire::kSerialBytes);
    std::copy(serial.begin(), serial.end(), s.serial.begin());
    uint8_t lifecycle = r.u8();
    if (lifecycle < 3 || lifecycle > 6) refuse(path, "holds an invalid lifecycle state");
    s.lifecycle = static_cast<wire::Lifecycle>(lifecycle);
    uint16_t count = r.u16();
    for (uint16_t i = 0; i < count; ++i) {
      Object o = read_object(r, path);
      uint16_t id = o.id;
      if (!s.objects.empty() && id <= s.objects.rbegin()->first)
        refuse(path, "holds objects out of order or twice");
      s.objects.emplace_hint(s.objects.end(), id, std::move(o));
    }
    r.expect_end();
  } catch (const MalformedPayload& e) {
    refuse(path, std::string("is malformed (") + e.what() + ")");
  }
  return s;
}

}  // namespace maxq::sim
