// The typed host API of the MAXQ1061: one method per chip command. Every call
// is one command frame (one chip round trip) unless it says otherwise; calls are
// serialised by a mutex per device and, across processes, by an advisory file
// lock around each command. Commands that are safe to repeat are retried a
// bounded number of times when the response is damaged on the bus; any command
// is retried when the chip reports that it received a damaged frame (it did not
// execute it).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "transport/errors.h"
#include "transport/link.h"
#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::transport {

class AdminKey;
class SignatureCheck;

struct ChipStatus {
  std::string product;  // "MAXQ1061"
  std::array<uint8_t, 4> firmware{};
  std::array<uint8_t, wire::kSerialBytes> serial{};
  wire::Lifecycle lifecycle = wire::Lifecycle::Operational;
  uint32_t free_memory = 0;
  uint32_t total_memory = 0;
  uint8_t free_temporary_slots = 0;
};

struct ObjectInfo {
  uint16_t id = 0;
  wire::ObjectType type = wire::ObjectType::Data;
  wire::ObjectProperty property = wire::ObjectProperty::Persistent;
  std::optional<wire::Curve> curve;  // key objects that hold a key
  uint16_t length = 0;               // capacity (data) or field size (keys)
  uint16_t used = 0;                 // bytes written (data/cert); 0 for an empty key
  uint8_t rules[wire::kAccessRuleBytes] = {};
};

struct ObjectSpec {
  uint16_t id = 0;
  wire::ObjectType type = wire::ObjectType::KeyPair;
  wire::ObjectProperty property = wire::ObjectProperty::Persistent;
  uint8_t rules[wire::kAccessRuleBytes] = {};
  uint16_t length = 0;

  // A persistent key pair for `curve`: everyone may read (the public part) and
  // use it; only the admin may regenerate, write or delete it.
  static ObjectSpec key_pair(uint16_t id, wire::Curve curve);
  // A temporary (RAM) key pair that everyone may generate and use (ephemeral ECDHE).
  static ObjectSpec temporary_key_pair(uint16_t id, wire::Curve curve);
  // A persistent certificate object of `capacity` bytes: everyone reads, admin writes.
  static ObjectSpec certificate(uint16_t id, uint16_t capacity);
  static ObjectSpec data(uint16_t id, uint16_t capacity);
  static ObjectSpec public_key(uint16_t id, wire::Curve curve);
};

struct PublicKey {
  wire::Curve curve = wire::Curve::P256;
  Bytes xy;  // X || Y, field_bytes each
  bool operator==(const PublicKey& o) const { return curve == o.curve && xy == o.xy; }
  bool operator!=(const PublicKey& o) const { return !(*this == o); }
};

// When the Device checks a chip signature in software before returning it
// (see signature_check.h; a mismatch is sent again like a damaged exchange).
enum class SignatureChecking {
  Always,  // every signature: one ECDSA verify on the host per sign
  // Every signature while the link has damaged an exchange within the last
  // kCleanCommandsToTrust commands, none on a link that has stayed clean. A
  // CRC-16 miss needs a damaged frame; a link that damages frames shows it in
  // the many damaged frames the CRC does catch, and is then checked again.
  AfterDamage,
  Never,
};
inline constexpr uint64_t kCleanCommandsToTrust = 1000;

struct DeviceOptions {
  // Total tries of a command whose exchange was damaged on the bus (CRC, sync,
  // length) and may be repeated. At a 1% byte error rate one sign exchange
  // survives ~30% of the time, so a handful of tries is what makes it robust.
  unsigned max_attempts = 8;
  // Total tries when the chip did not answer at all (each costs the full poll budget).
  unsigned max_timeouts = 2;
  // Checking a signature costs one read of the public key per key and Device
  // (none when the caller gives it, see sign) and one verify on the host.
  SignatureChecking verify_signatures = SignatureChecking::AfterDamage;
};

// Errors: ChipError for a status word other than OK (message from
// make_chip_error), LinkError / ProtocolError naming the command and the device
// when the exchange failed after the bounded retries, Error for a request that
// does not fit one command frame. MAXQ1061_DEBUG=1 (read when the Device is
// made) traces each command to stderr: name, id, sizes, status, attempts and
// microseconds, never payload bytes.

class Device {
 public:
  Device(std::unique_ptr<Link> link, DeviceOptions options = {});
  ~Device();

  // --- one method per chip command ---
  Bytes ping(ByteView data);
  ChipStatus status();
  Bytes challenge(uint16_t length);
  void admin_authenticate(ByteView signature);
  void create_object(const ObjectSpec& spec);
  void delete_object(uint16_t id);
  // length 0: to the end of the written content.
  Bytes read_object(uint16_t id, uint16_t offset = 0, uint16_t length = 0);
  void write_object(uint16_t id, uint16_t offset, ByteView data);
  // Pages through the chip's list (one command per page).
  std::vector<ObjectInfo> list_objects();
  void set_lifecycle(wire::Lifecycle state);
  // Import-key with no material: the chip generates the pair; returns its public key.
  PublicKey generate_key(uint16_t id, wire::Curve curve);
  void import_public_key(uint16_t id, const PublicKey& key);
  // ECDSA on a digest; returns raw r || s. `given`: the public key the caller
  // holds for the object (from a key reference or a certificate). Unless
  // SignatureChecking::Never, a signature under a given key the Device has
  // not seen confirmed (by the chip's answer to generate/read, or by an
  // earlier signature) is verified against it in software, without a chip
  // command: a key generated again after the reference was made would
  // otherwise sign, unnoticed, with a key no peer expects. On a mismatch the
  // chip's key is read: a signature that verifies under it means the object
  // holds another key (KeyMismatchError); otherwise the bus damaged the
  // signature or the read, which is retried. Each call checks against its own
  // `given`: threads holding different keys for one object cannot mix them up.
  Bytes sign(uint16_t id, ByteView digest, const PublicKey* given = nullptr);
  // Returns false for a signature that does not verify (status BadSignature).
  bool verify(uint16_t id, ByteView digest, ByteView signature);
  // Raw ECDH secret (X coordinate) for peer point X || Y.
  SecretBytes ecdh(uint16_t id, ByteView peer_xy);
  // Any n: split into commands of at most 1024 bytes.
  Bytes random(size_t n);
  PublicKey read_public(uint16_t id);

  // --- composite helpers (several commands) ---
  // get challenge + admin authenticate with `key`.
  void authenticate(const AdminKey& key);
  // Writes `data` in frame-sized chunks.
  void write_object_chunked(uint16_t id, ByteView data);

  std::string describe() const;
  Link& link() { return *link_; }

 private:
  enum class Retry { Safe, OnlyIfNotExecuted };
  Bytes command(wire::Command cmd, ByteView payload, Retry retry, size_t expected_payload,
                const std::string& what);
  Bytes exchange_locked(wire::Command cmd, ByteView frame, Retry retry, size_t expected_payload,
                        const std::string& what);
  void reset_link_after_failure();
  Bytes read(uint16_t id, uint16_t offset, uint16_t length, size_t expected_payload);
  ObjectInfo parse_list_entry(PayloadReader& in, const std::string& what,
                              const std::vector<ObjectInfo>& so_far, uint32_t start);
  void trace(const std::string& what, size_t out_bytes, const std::string& result,
             unsigned attempts, std::chrono::steady_clock::time_point start) const;
  // Field size of a key object's curve as last seen (generate, read, list): the
  // expected answer size of sign, so one round trip brings the whole signature.
  // Only a hint; a wrong one costs one more round trip.
  void remember_field_bytes(uint16_t id, size_t field_bytes);
  size_t field_bytes_hint(uint16_t id);
  // Public keys as last generated or read, to check signatures with.
  void remember_public(uint16_t id, const PublicKey& key);
  // True when `key` is what the Device knows object `id` holds.
  bool is_known_public(uint16_t id, const PublicKey& key);
  Bytes sign_given(uint16_t id, ByteView digest, const PublicKey& given, const std::string& what);
  void note_undetected_damage(const std::string& what, unsigned attempt, const char* against);
  void forget(uint16_t id);
  std::optional<PublicKey> public_for_check(uint16_t id, bool refresh);
  Bytes sign_once(uint16_t id, ByteView digest, const std::string& what);

  std::unique_ptr<Link> link_;
  DeviceOptions options_;
  bool trace_;
  std::mutex mutex_;  // one command at a time on this device
  std::once_flag signature_check_made_;
  std::unique_ptr<SignatureCheck> signature_check_;  // see signature_check()
  // Commands answered intact since the link last damaged an exchange.
  std::atomic<uint64_t> clean_commands_{kCleanCommandsToTrust};
  bool check_signatures() const;
  const SignatureCheck& signature_check();
  std::mutex cache_mutex_;  // guards the two maps
  std::map<uint16_t, size_t> field_bytes_;
  // Public keys the chip answered with (generate, read, import) or that a
  // chip signature verified under: what the object holds, as far as is known.
  std::map<uint16_t, PublicKey> public_keys_;
};

}  // namespace maxq::transport
