// The MAXQ1061 wire protocol: every constant and payload layout that the host
// (transport/) and the chip model (simulator/) must agree on lives here, once.
//
// Two kinds of facts are mixed in this file and are marked as such:
//  - PUBLIC: taken from Maxim's public host SDK (docs/maxq106x-protocol.md).
//  - MODELLED: behaviour the public material does not pin down; this project
//    defines it so host and simulator agree. Correct these against the
//    datasheet when it is available; nothing else in the tree hard-codes them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace maxq::wire {

// Sources: docs/maxq106x-protocol.md (the MAXQ106x host SDK's wire, field
// by field); section numbers below are that document's. wire/README.md tables
// every command: layout source, MODELLED choices, and the test that proves it.

// ---- Framing (PUBLIC, §3) ----------------------------------------------------
// command:  AA 00 CMD LEN_H LEN_L DATA... CRC_L CRC_H
// response: 55 ST_H ST_L LEN_H LEN_L DATA... CRC_L CRC_H
// CRC-16/ARC over header and data, sent low byte first.
inline constexpr uint8_t kCommandSync = 0xAA;
inline constexpr uint8_t kCommandSync2 = 0x00;
inline constexpr uint8_t kResponseSync = 0x55;
inline constexpr uint8_t kPollByte = 0xCC;  // host clocks this while waiting
inline constexpr size_t kHeaderSize = 5;
inline constexpr size_t kCrcSize = 2;
// The SDK refuses a response whose LEN exceeds 2300 (MAX_BUFFER_SIZE); the
// model applies the same limit to command frames (MODELLED: the chip's own
// limit is not public).
inline constexpr size_t kMaxPayload = 2300;
inline constexpr size_t kMaxFrameSize = kHeaderSize + kMaxPayload + kCrcSize;
// The largest command DATA the SDK ever sends (ping, digest/MAC updates): the
// host never sends more, so it stays inside what the part is known to take.
inline constexpr size_t kMaxHostCommandPayload = 2048;

// MODELLED: what the chip clocks out on MISO while it receives a command or is
// still busy computing the answer. Never equal to kResponseSync.
inline constexpr uint8_t kIdleByte = 0x00;

// ---- Command codes (PUBLIC, §4.0: the MAXQ106x set) ---------------------------
enum class Command : uint8_t {
  CreateObject = 0x10,
  DeleteObject = 0x11,
  ReadObject = 0x12,
  WriteObject = 0x13,
  UpdateCounter = 0x14,
  ListObjects = 0x15,
  Cipher = 0xC0,
  SecureChannel = 0xC1,
  AdminAuthenticate = 0xC2,
  KeyExchange = 0xC3,
  TlsRecord = 0xC4,
  GetChallenge = 0xC7,  // also the random-number source on MAXQ106x (§4.3)
  SignVerify = 0xC8,
  GetRandom = 0xC9,  // MAXQ108x form; the SDK never sends it to a MAXQ106x
  ImportKey = 0xCA,
  ImportRootCert = 0xCB,
  VerifyBoot = 0xCC,
  ImportChildCert = 0xCF,
  MessageDigest = 0xD0,
  Mac = 0xD1,
  Sleep = 0xF1,
  GetStatus = 0xF2,
  SetLifecycle = 0xF3,
  SetConfig = 0xF4,
  FactoryReset = 0xF5,
  Ping = 0xF7,
};

// Human-readable command name ("sign/verify", "get challenge", ...); "unknown
// command" for codes outside the table.
std::string_view command_name(uint8_t code);

// Pass byte of multi-pass commands (PUBLIC, API.h pass_t).
inline constexpr uint8_t kPassFirst = 0x01;  // admin login, plain key/cert import
inline constexpr uint8_t kPassClose = 0x03;  // admin reset

// ---- Status words (PUBLIC, §3.5: the wire value is the positive code) -------
enum class Status : uint16_t {
  Ok = 0x0000,
  BadParameter = 0x0001,  // also: object id already exists
  BadAccessConditions = 0x0002,
  WrongObjectType = 0x0003,
  NotFound = 0x0004,
  OutOfBounds = 0x0005,
  BadObjectAccess = 0x0800,
  WrongLength = 0x1000,
  MemoryFull = 0x1001,
  SecurityCondition = 0x2000,  // security condition not satisfied (lifecycle, auth)
  AccessDenied = 0x2001,       // also: no previously computed hash
  WrongMac = 0x2002,           // also: no previously generated random
  BadSignature = 0x3000,
  SecureChannelError = 0x4000,
  NotImplemented = 0x5000,
  NotAllowed = 0x6000,
  CipherBadInput = 0x6100,
  WrongMode = 0x7000,
  CryptoNotOk = 0x8000,
  BadKeyType = 0x8001,
  CryptoFailure = 0x8002,
  AlgorithmNotSupported = 0x8004,
  WrongParams = 0x8006,
  PaddingError = 0x800A,
  WrongSize = 0x800D,
  BufferTooSmall = 0x8011,
  HashTooShort = 0x8012,
  CurveNotSupported = 0x8013,
  NameExists = 0x8016,
  InvalidObject = 0x8017,
  CounterOverflow = 0x8030,
  ConsistencyError = 0x9000,
  ObjectEmpty = 0x9001,
  InternalOverflow = 0xA000,
  BufferOverflow = 0xC000,
  InvalidSize = 0xC030,
  AccessDeniedAlt = 0xFFFA,
  WrongParam = 0xFFFB,
  // MODELLED, in codes no public table uses: the chip saw a command frame
  // whose CRC or framing was wrong and did not execute it (any command answered
  // with this may be sent again); all temporary (RAM) object slots are in use.
  FrameError = 0x1002,
  NoTemporarySlot = 0x1003,
};
// MODELLED: a command code the model does not implement is answered with the
// public "function not implemented" (what the part answers is not public).
inline constexpr Status kUnknownCommandStatus = Status::NotImplemented;

std::string_view status_name(uint16_t status);

// ---- Objects (PUBLIC, §5) ------------------------------------------------------
enum class ObjectType : uint8_t {
  SecretKey = 1,
  PublicKey = 2,
  KeyPair = 3,
  Data = 4,  // "transparent"
  Counter = 5,
  Certificate = 6,
  CounterAlt = 7,  // decrementing counter
};
// Property bits of create object. Exactly one of Temporary / Persistent is set;
// kPropertyWipeOnTamper may be OR-ed to either (the model has no tamper input).
enum class ObjectProperty : uint8_t {
  Temporary = 0x01,   // RAM content; lost on reset (in the model: when the chip session ends)
  Persistent = 0x02,  // secure storage
};
inline constexpr uint8_t kPropertyWipeOnTamper = 0x04;
inline constexpr uint16_t kKeyImportKeyId = 0x1000;  // pre-loaded; verifies CA/CB requests
inline constexpr uint16_t kAdminKeyId = 0x1001;      // pre-loaded; verifies admin login
inline constexpr size_t kSecureStorageBytes = 32 * 1024;

// MODELLED: number of temporary (RAM) object slots and the bytes each object
// costs in secure storage beyond its content.
inline constexpr size_t kTemporarySlots = 16;
inline constexpr size_t kObjectOverheadBytes = 32;

// ---- Lifecycle (PUBLIC, §5.6) --------------------------------------------------
enum class Lifecycle : uint8_t {
  Delivery = 3,
  Initialized = 4,
  Operational = 5,
  Terminated = 6,
};

// ---- Access conditions (PUBLIC, §5.3) --------------------------------------------
// Nine bytes, three per lifecycle state (delivery, initialized, operational).
// Within a state: byte0 = read | write<<4, byte1 = delete | generate<<4,
// byte2 = execute (high nibble zero).
inline constexpr size_t kAccessRuleBytes = 9;
enum Role : uint8_t {
  kRoleAdmin = 0x2,       // after a successful admin authenticate
  kRoleSecureBoot = 0x4,  // after a successful verify boot
  kRoleHost = 0x8,        // after opening a secure channel
  kRoleAlways = 0xE,      // all three: documented as unconditional access
};
// MODELLED: a mask of exactly kRoleAlways allows everyone; any other mask
// allows a session holding at least one of its conditions. The model never
// holds SECUREBOOT or HOST (it has neither verify boot nor a secure channel).
enum class Operation : uint8_t { Read = 0, Write = 1, Delete = 2, Generate = 3, Execute = 4 };

// Role mask allowed for `op` in lifecycle `state` (states outside 3..5 allow nothing).
uint8_t rule_roles(const uint8_t (&rules)[kAccessRuleBytes], Lifecycle state, Operation op);
void set_rule_roles(uint8_t (&rules)[kAccessRuleBytes], Lifecycle state, Operation op,
                    uint8_t roles);
// Whether a session holding `held` (role bits) passes the mask `allowed`.
bool roles_pass(uint8_t allowed, uint8_t held);

// ---- Keys: types, usages, algorithms, curves (PUBLIC ids, §5.7) ----------------
enum class KeyType : uint8_t { Aes = 0, Psk = 1, Hmac = 2, Ecc = 3, Ikm = 4, Rsa = 5 };
enum class KeyUsage : uint8_t {
  SecureChannel = 0x00,
  DataSignature = 0x01,
  Encryption = 0x02,
  TlsAuthentication = 0x04,
  AdminAuthentication = 0x08,
  VerifyKeyOrCertificate = 0x10,
  KeyExchange = 0xD1,
  KeyImport = 0x80,
  None = 0xFF,
};
enum class Algorithm : uint8_t {
  None = 0,
  Sha256 = 2,
  Sha384 = 3,
  Sha512 = 4,
  EcdsaAnySha = 7,   // key policy only, not valid in sign/verify
  EcdsaDigest = 8,   // ECDSA on a digest the host supplies (ALGO_ECDSA_PLAIN)
  EcdsaInnerMd = 9,  // ECDSA on the chip's last message digest
  EcdsaSha256 = 10,
  EcdsaSha384 = 11,
  EcdsaSha512 = 12,
};
enum class Curve : uint8_t {
  P256 = 0,
  P384 = 1,
  P521 = 2,
  Brainpool256 = 3,
  Brainpool384 = 4,
  Brainpool512 = 5,
};

struct CurveInfo {
  Curve curve;
  size_t field_bytes;     // size of one coordinate / of the private scalar
  std::string_view sn;    // OpenSSL short name of the group ("prime256v1")
  std::string_view nist;  // NIST name where one exists ("P-256"), else ""
  unsigned bits;          // order bits
  unsigned security_bits;
};
// nullopt for ids outside the table.
std::optional<CurveInfo> curve_info(uint8_t curve_id);
inline std::optional<CurveInfo> curve_info(Curve c) {
  return curve_info(static_cast<uint8_t>(c));
}
// Accepts OpenSSL short names, NIST names and long aliases ("P-256",
// "prime256v1", "secp384r1", "brainpoolP256r1"); case-insensitive.
std::optional<CurveInfo> curve_by_name(std::string_view name);

// The longest coordinate (and r, s, private scalar) of the curves above: P-521.
inline constexpr size_t kMaxFieldBytes = 66;

// Content capacity of a key object (the length of create object, §5.4): a key
// pair holds X, Y and the scalar, a public key X and Y.
inline size_t key_object_capacity(ObjectType type, const CurveInfo& c) {
  return (type == ObjectType::KeyPair ? 3 : 2) * c.field_bytes;
}

// ---- Limits ---------------------------------------------------------------------
// Admin authentication signs a challenge of exactly this many bytes (§4.5).
inline constexpr size_t kAdminChallengeBytes = 16;
// MODELLED: the model hands out 1..1024 challenge (random) bytes per C7.
inline constexpr size_t kMaxChallenge = 1024;
inline constexpr size_t kMaxRandomPerCommand = kMaxChallenge;

// Get status fields (PUBLIC, §4.2).
inline constexpr size_t kProductNameBytes = 16;
inline constexpr size_t kSerialBytes = 24;
// The chip's serial number as get status reports it; key references name it.
using ChipSerial = std::array<uint8_t, kSerialBytes>;

// MODELLED: the data of an algorithm-08 sign or verify request other than the
// field-size ECDSA integer is a raw hash of SHA-1 (20 bytes) up to SHA-512
// (64 bytes) size (key_layout.h ecdsa_field_digest).
inline constexpr size_t kMinHostDigestBytes = 20;
inline constexpr size_t kMaxHostDigestBytes = 64;

// MODELLED product identity reported by get status (§4.2).
inline constexpr std::string_view kProductName = "MAXQ1061";
inline constexpr uint8_t kFirmwareVersion[3] = {1, 2, 0};  // major, minor, revision
inline constexpr uint8_t kHardwareCode = 0xC3;             // silicon rev C3

// Sign/verify modes (PUBLIC, §4.15); the layout is in key_layout.h.
inline constexpr uint8_t kModeVerify = 1;
inline constexpr uint8_t kModeSign = 2;

// Command payload layouts live in the *_layout.h files beside this one, each
// with an encoder (host) and a decoder (chip) so both sides share one definition.

}  // namespace maxq::wire
