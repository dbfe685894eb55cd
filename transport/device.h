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
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "transport/errors.h"
#include "transport/link.h"
#include "wire/bytes.h"
#include "wire/object_layout.h"
#include "wire/protocol.h"
#include "wire/status_layout.h"

namespace maxq::transport {

class CredentialKey;
class FileLock;
class SignatureVerifier;

// Get status (93 bytes on the part, wire/status_layout.h).
struct ChipStatus {
  std::string product;                // "MAXQ1061"
  std::array<uint8_t, 3> firmware{};  // major, minor, revision
  uint8_t hardware_code = 0;          // 0xC3: silicon rev C3
  wire::ChipSerial serial{};
  wire::Lifecycle lifecycle = wire::Lifecycle::Operational;
  uint16_t free_memory = 0;
  uint16_t total_memory = 0;
  std::array<uint8_t, wire::kConfigBlockBytes> config{};
  std::array<uint8_t, wire::kSysConfigBlockBytes> sysconfig{};
};

// One object as list objects (option 0) describes it.
struct ObjectInfo {
  uint16_t id = 0;
  wire::ObjectType type = wire::ObjectType::Data;
  uint8_t properties = 0;    // wire::ObjectProperty bits
  bool initialised = false;  // holds a key / content
  uint8_t rules[wire::kAccessRuleBytes] = {};
  uint16_t length = 0;                 // content capacity
  std::optional<wire::KeyPolicy> key;  // key and certificate objects
  bool temporary() const {
    return (properties & static_cast<uint8_t>(wire::ObjectProperty::Temporary)) != 0;
  }
};

struct ObjectSpec {
  uint16_t id = 0;
  wire::ObjectType type = wire::ObjectType::KeyPair;
  wire::ObjectProperty property = wire::ObjectProperty::Persistent;
  uint8_t rules[wire::kAccessRuleBytes] = {};
  uint16_t length = 0;  // content capacity (wire::key_object_capacity for keys)

  // A persistent key pair for `curve`: everyone may read (the public part) and
  // use it; only the admin may regenerate, write or delete it.
  static ObjectSpec key_pair(uint16_t id, wire::Curve curve);
  // A temporary (RAM) key pair that everyone may generate and use (ephemeral ECDHE).
  static ObjectSpec temporary_key_pair(uint16_t id, wire::Curve curve);
  // A persistent certificate object of `capacity` bytes (24-byte header and
  // DER): everyone reads, admin imports.
  static ObjectSpec certificate(uint16_t id, uint16_t capacity);
  static ObjectSpec data(uint16_t id, uint16_t capacity);
  static ObjectSpec public_key(uint16_t id, wire::Curve curve);
};

// What a key may be used for: usages and algorithms of its key descriptor.
struct KeyUse {
  wire::KeyUsage usage1 = wire::KeyUsage::DataSignature;
  wire::Algorithm algorithm1 = wire::Algorithm::EcdsaAnySha;
  wire::KeyUsage usage2 = wire::KeyUsage::None;
  wire::Algorithm algorithm2 = wire::Algorithm::None;
  // A TLS identity key: ECDSA with any hash (host digests included).
  static KeyUse signing() { return {}; }
  // An ephemeral key share (simulator extension: raw ECDH).
  static KeyUse key_exchange() {
    return {wire::KeyUsage::KeyExchange, wire::Algorithm::None, wire::KeyUsage::None,
            wire::Algorithm::None};
  }
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
  // Makes what checks signatures and points, once, at the first need (the
  // first signature under a key the caller gives, or any on a suspect link).
  // Unset, or when it gives nothing: a SignatureCheck in the process's
  // software context (signature_check.h).
  std::function<std::unique_ptr<SignatureVerifier>()> make_signature_verifier;
};

// Errors: ChipError for a status word other than OK (message from
// make_chip_error), LinkError / ProtocolError naming the command and the device
// when the exchange failed after the bounded retries, Error for a request that
// does not fit one command frame. MAXQ1061_DEBUG=1 (read when the Device is
// made) traces each command to stderr: name, id, sizes, status, attempts and
// microseconds, never payload bytes; MAXQ1061_DEBUG=frames adds every frame in
// hex (random bytes and secrets shown only by their length), to compare with
// the protocol document.

class Device {
 public:
  Device(std::unique_ptr<Link> link, DeviceOptions options = {});
  ~Device();

  // --- one method per chip command ---
  Bytes ping(ByteView data);
  ChipStatus status();
  // Get challenge (C7). The chip keeps it only for an admin authenticate sent
  // right after it; any other command discards it.
  Bytes challenge(uint16_t length);
  // Admin authenticate, login pass with a signature over the last challenge.
  void admin_authenticate(ByteView signature);
  // Admin authenticate, reset pass: ends the admin condition.
  void admin_reset();
  void create_object(const ObjectSpec& spec);
  void delete_object(uint16_t id);
  // Up to `length` bytes from `offset` (fewer when the content ends first);
  // length 0: to the end of the content.
  Bytes read_object(uint16_t id, uint16_t offset = 0, uint16_t length = 0);
  void write_object(uint16_t id, uint16_t offset, ByteView data);
  // List objects, option 1: every object id.
  std::vector<uint16_t> object_ids();
  // List objects, option 0: one object's record.
  ObjectInfo object_info(uint16_t id);
  void set_lifecycle(wire::Lifecycle state);
  // Import key with a descriptor of total length 0: the chip generates the
  // pair inside object `id`; the request is signed with the key-import key.
  // The public key is then read (the part answers the import with no data):
  // two commands.
  PublicKey generate_key(uint16_t id, wire::Curve curve, const CredentialKey& key_import,
                         KeyUse use = KeyUse::signing());
  // Import key of a public key (X || Y) into a public-key object.
  void import_public_key(uint16_t id, const PublicKey& key, const CredentialKey& key_import,
                         KeyUse use = KeyUse::signing());
  // Import root certificate: the 24-byte header is built from `der` (an X.509
  // certificate of an EC key on a curve the chip knows), signed with the
  // key-import key, into a certificate object.
  void import_certificate(uint16_t id, ByteView der, const CredentialKey& key_import);
  // The DER of a certificate object (header checked against it).
  Bytes read_certificate(uint16_t id);
  // ECDSA on a digest of any length: sent as the ECDSA integer in field-size
  // bytes (wire::ecdsa_field_digest), as software ECDSA would take it. Returns
  // raw r || s. `given`: the public key the caller holds for the object (from
  // a key reference or a certificate). Unless SignatureChecking::Never, a
  // signature under a given key the Device has not seen confirmed (by the
  // chip's answer to generate/read, or by an earlier signature) is verified
  // against it in software, without a chip command: a key generated again
  // after the reference was made would otherwise sign, unnoticed, with a key
  // no peer expects. On a mismatch the chip's key is read: a signature that
  // verifies under it means the object holds another key (KeyMismatchError);
  // otherwise the bus damaged the signature or the read, which is retried.
  // Each call checks against its own `given`.
  Bytes sign(uint16_t id, ByteView digest, const PublicKey* given = nullptr);
  // Returns false for a signature that does not verify (status BadSignature).
  bool verify(uint16_t id, ByteView digest, ByteView signature);
  // Raw ECDH secret (X coordinate) for the peer point X || Y: the simulator's
  // extension of key exchange. The MAXQ1061 returns no raw ECDH secret (its
  // ECDH lives in its TLS 1.2 engine): refused on links to real hardware.
  SecretBytes ecdh(uint16_t id, ByteView peer_xy);
  // Throws UnsupportedError (saying why and what to use instead) when the
  // link reaches real hardware, which has no raw ECDH.
  void require_raw_ecdh(const std::string& what) const;
  // Random bytes from the chip's TRNG, through get challenge as MAXQ106x
  // hosts do; any n, split into commands of at most kMaxRandomPerCommand.
  Bytes random(size_t n);
  // X || Y of a key object; the curve is the one the point lies on among the
  // curves of its size (brainpool and NIST curves share field sizes).
  PublicKey read_public(uint16_t id);

  // --- composite helpers (several commands) ---
  // Every object's record: object ids, then one list command per object.
  std::vector<ObjectInfo> list_objects();
  // Runs `body` as admin: get challenge (16), admin authenticate signed with
  // `admin`, `body`, admin reset, all under this Device's locks so no other
  // command of this process (or, through the file lock, of another process on
  // a shared chip) comes between them. The reset is sent whatever `body` does.
  template <class Fn>
  void as_admin(const CredentialKey& admin, Fn&& body) {
    Exclusive hold(*this);
    authenticate(admin);
    try {
      body();
    } catch (...) {
      end_admin_quietly();
      throw;
    }
    admin_reset();
  }
  // Writes `data` in frame-sized chunks.
  void write_object_chunked(uint16_t id, ByteView data);

  std::string describe() const;
  Link& link() { return *link_; }

 private:
  // Holds the Device's mutex and the cross-process lock across several
  // commands (re-entrant for the commands inside).
  class Exclusive {
   public:
    explicit Exclusive(Device& d);
    ~Exclusive();
    Exclusive(const Exclusive&) = delete;
    Exclusive& operator=(const Exclusive&) = delete;

   private:
    Device& device_;
  };
  friend class Exclusive;
  void authenticate(const CredentialKey& admin);
  void end_admin_quietly() noexcept;

  enum class Retry { Safe, OnlyIfNotExecuted };
  Bytes command(wire::Command cmd, ByteView payload, Retry retry, size_t expected_payload,
                const std::string& what);
  Bytes exchange_locked(wire::Command cmd, ByteView frame, Retry retry, size_t expected_payload,
                        const std::string& what);
  void reset_link_after_failure();
  void signed_import(wire::Command cmd, uint16_t id, Bytes body, const CredentialKey& key_import,
                     const std::string& what);
  void trace(const std::string& what, size_t out_bytes, const std::string& result,
             unsigned attempts, std::chrono::steady_clock::time_point start) const;
  void trace_frame(const char* direction, wire::Command cmd, ByteView frame) const;
  // Field size of a key object's curve as last seen (generate, read): the
  // expected answer size of sign, so one round trip brings the whole
  // signature. Only a hint; a wrong one costs one more round trip.
  void remember_field_bytes(uint16_t id, size_t field_bytes);
  size_t field_bytes_hint(uint16_t id);
  // The curve a signature request is encoded for: the given key's, else the
  // one last seen for the object, else read from the chip.
  wire::CurveInfo curve_for_sign(uint16_t id, const PublicKey* given);
  // Public keys as last generated or read, to check signatures with.
  void remember_public(uint16_t id, const PublicKey& key);
  // True when `key` is what the Device knows object `id` holds.
  bool is_known_public(uint16_t id, const PublicKey& key);
  Bytes sign_given(uint16_t id, ByteView digest, const PublicKey& given, const std::string& what);
  void note_undetected_damage(const std::string& what, unsigned attempt, const char* against);
  void forget(uint16_t id);
  std::optional<PublicKey> public_for_check(uint16_t id, bool refresh);
  Bytes sign_once(uint16_t id, const wire::CurveInfo& curve, ByteView digest,
                  const std::string& what);

  std::unique_ptr<Link> link_;
  DeviceOptions options_;
  enum class Trace { Off, Commands, Frames };
  Trace trace_;
  // One command (or one Exclusive sequence) at a time on this device.
  std::recursive_mutex mutex_;
  // Cross-process lock held by an Exclusive sequence; guarded by mutex_.
  std::unique_ptr<FileLock> held_lock_;
  unsigned exclusive_depth_ = 0;
  std::once_flag signature_check_made_;
  std::unique_ptr<SignatureVerifier> signature_check_;  // see signature_check()
  // Commands answered intact since the link last damaged an exchange.
  std::atomic<uint64_t> clean_commands_{kCleanCommandsToTrust};
  bool check_signatures() const;
  const SignatureVerifier& signature_check();
  std::mutex cache_mutex_;  // guards the two maps
  std::map<uint16_t, size_t> field_bytes_;
  // Public keys the chip answered with (generate, read, import) or that a
  // chip signature verified under: what the object holds, as far as is known.
  std::map<uint16_t, PublicKey> public_keys_;
};

}  // namespace maxq::transport
