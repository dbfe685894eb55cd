// The MAXQ1061 wire protocol: every constant and payload layout that the host
// (transport/) and the chip model (simulator/) must agree on lives here, once.
//
// Two kinds of facts are mixed in this file and are marked as such:
//  - PUBLIC: taken from Maxim's public host SDK and the project's DESIGN.md.
//  - MODELLED: behaviour the public material does not pin down; this project
//    defines it so host and simulator agree. Correct these against the
//    datasheet when it is available; nothing else in the tree hard-codes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace maxq::wire {

// ---- Framing (PUBLIC) -----------------------------------------------------
// command:  AA 00 CMD LEN_H LEN_L DATA... CRC_L CRC_H
// response: 55 ST_H ST_L LEN_H LEN_L DATA... CRC_L CRC_H
// CRC-16/ARC over header and data, sent low byte first.
inline constexpr uint8_t kCommandSync = 0xAA;
inline constexpr uint8_t kCommandSync2 = 0x00;
inline constexpr uint8_t kResponseSync = 0x55;
inline constexpr uint8_t kPollByte = 0xCC;  // host clocks this while waiting
inline constexpr size_t kHeaderSize = 5;
inline constexpr size_t kCrcSize = 2;
inline constexpr size_t kMaxFrameSize = 2300;
inline constexpr size_t kMaxPayload = kMaxFrameSize - kHeaderSize - kCrcSize;
inline constexpr size_t kMaxRandomPerCommand = 1024;

// MODELLED: what the chip clocks out on MISO while it receives a command or is
// still busy computing the answer. Never equal to kResponseSync.
inline constexpr uint8_t kIdleByte = 0x00;

// ---- Command codes (PUBLIC) ------------------------------------------------
enum class Command : uint8_t {
  CreateObject = 0x10,
  DeleteObject = 0x11,
  ReadObject = 0x12,
  WriteObject = 0x13,
  ListObjects = 0x15,
  Cipher = 0xC0,
  SecureChannel = 0xC1,
  AdminAuthenticate = 0xC2,
  KeyExchange = 0xC3,
  GetChallenge = 0xC7,
  SignVerify = 0xC8,
  GetRandom = 0xC9,
  ImportKey = 0xCA,
  MessageDigest = 0xD0,
  Mac = 0xD1,
  Sleep = 0xF1,
  GetStatus = 0xF2,
  SetLifecycle = 0xF3,
  SetConfig = 0xF4,
  FactoryReset = 0xF5,
  Ping = 0xF7,
};

// Human-readable command name ("sign/verify", "get random", ...); "command 0xNN"
// style names are produced by callers for unknown codes.
std::string_view command_name(uint8_t code);

// ---- Status words ------------------------------------------------------------
enum class Status : uint16_t {
  // PUBLIC
  Ok = 0x0000,
  BadParameter = 0x0001,  // also: object id exists
  NotFound = 0x0004,
  OutOfBounds = 0x0005,
  WrongLength = 0x1000,
  MemoryFull = 0x1001,
  SecurityCondition = 0x2000,  // security condition not satisfied (lifecycle, auth)
  AccessDenied = 0x2001,
  BadSignature = 0x3000,
  CryptoFailure = 0x8002,
  AlgorithmNotSupported = 0x8004,
  CurveNotSupported = 0x8013,
  ObjectEmpty = 0x9001,
  // MODELLED: the chip saw a command frame whose CRC or framing was wrong and did
  // not execute it. Any command answered with this may be sent again.
  FrameError = 0x1002,
  // MODELLED: command code the chip (model) does not implement.
  UnknownCommand = 0x8001,
  // MODELLED: all temporary (RAM) object slots are in use.
  NoTemporarySlot = 0x1003,
};

std::string_view status_name(uint16_t status);

// ---- Objects (PUBLIC) --------------------------------------------------------
enum class ObjectType : uint8_t {
  SecretKey = 1,
  PublicKey = 2,
  KeyPair = 3,
  Data = 4,
  Counter = 5,
  Certificate = 6,
  CounterAlt = 7,
};
enum class ObjectProperty : uint8_t {
  Temporary = 1,   // RAM; lost on reset (in the model: when the chip session ends)
  Persistent = 2,  // secure storage
};
inline constexpr uint16_t kKeyImportKeyId = 0x1000;  // pre-loaded
inline constexpr uint16_t kAdminKeyId = 0x1001;      // pre-loaded
inline constexpr size_t kSecureStorageBytes = 32 * 1024;

// MODELLED: number of temporary (RAM) object slots and the bytes each object
// costs in secure storage beyond its content.
inline constexpr size_t kTemporarySlots = 16;
inline constexpr size_t kObjectOverheadBytes = 32;

// ---- Lifecycle (PUBLIC) ------------------------------------------------------
enum class Lifecycle : uint8_t {
  Delivery = 3,
  Initialized = 4,
  Operational = 5,
  Terminated = 6,
};

// ---- Access rules ----------------------------------------------------------
// PUBLIC: 9 access-rule bytes; for each of the lifecycle states delivery,
// initialized, operational, which roles may read, write, delete, generate,
// execute.
// MODELLED layout: 3 bytes per state (delivery first). Within a state, one
// nibble of role bits per operation: byte0 = read | write<<4,
// byte1 = delete | generate<<4, byte2 = execute (high nibble zero).
inline constexpr size_t kAccessRuleBytes = 9;
enum Role : uint8_t {
  kRoleAdmin = 0x1,
  kRoleSecureBoot = 0x2,
  kRoleHost = 0x4,
  kRoleEveryone = 0x8,
};
enum class Operation : uint8_t { Read = 0, Write = 1, Delete = 2, Generate = 3, Execute = 4 };

// Role mask allowed for `op` in lifecycle `state` (states outside 3..5 allow nothing).
uint8_t rule_roles(const uint8_t (&rules)[kAccessRuleBytes], Lifecycle state, Operation op);
void set_rule_roles(uint8_t (&rules)[kAccessRuleBytes], Lifecycle state, Operation op,
                    uint8_t roles);

// ---- Algorithms and curves (PUBLIC ids) ---------------------------------------
enum class Algorithm : uint8_t {
  Sha256 = 2,
  Sha384 = 3,
  Sha512 = 4,
  EcdsaDigest = 8,  // ECDSA on a digest the host supplies
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
  size_t field_bytes;        // size of one coordinate / of the private scalar
  std::string_view sn;       // OpenSSL short name of the group ("prime256v1")
  std::string_view nist;     // NIST name where one exists ("P-256"), else ""
  unsigned bits;             // order bits
  unsigned security_bits;
};
// nullopt for ids outside the table.
std::optional<CurveInfo> curve_info(uint8_t curve_id);
// Accepts OpenSSL short names, NIST names and long aliases ("P-256",
// "prime256v1", "secp384r1", "brainpoolP256r1"); case-insensitive.
std::optional<CurveInfo> curve_by_name(std::string_view name);

// ---- Command payloads ---------------------------------------------------------
// All multi-byte fields are big-endian (PUBLIC).
//
// Ping 0xF7 (PUBLIC): data -> the same data.
//
// Get status 0xF2 (MODELLED layout of the PUBLIC fields): no request data ->
//   product name [16] (ASCII, NUL padded), firmware version [4]
//   (major, minor, patch, build), serial [24], lifecycle u8,
//   free memory u32, total memory u32, free temporary slots u8.
inline constexpr size_t kProductNameBytes = 16;
inline constexpr size_t kSerialBytes = 24;
inline constexpr size_t kStatusResponseBytes = kProductNameBytes + 4 + kSerialBytes + 1 + 4 + 4 + 1;
//
// Get challenge 0xC7 (PUBLIC: length): length u16 -> challenge bytes.
// MODELLED: length 16..64. The chip remembers the last challenge for
// admin authenticate; any other command leaves it in place, a new challenge
// replaces it, an authenticate attempt (good or bad) consumes it.
inline constexpr size_t kMinChallenge = 16;
inline constexpr size_t kMaxChallenge = 64;
//
// Admin authenticate 0xC2 (MODELLED layout): algorithm u8 (EcdsaSha256),
//   key id u16 (kAdminKeyId), signature length u16, signature (raw r||s over
//   the last challenge) -> no data. On success the session holds the admin role
//   until the session ends or the lifecycle changes. MODELLED: a failed attempt
//   also ends an admin role the session held.
//
// Create object 0x10 (PUBLIC): id u16, type u8, properties u8, rules [9],
//   length u16, 4 zero bytes -> no data.
// MODELLED: for key objects, `length` is the curve's field size in bytes
//   (32, 48, 66, 64); it fixes which curves the object can hold.
//   For data and certificate objects, `length` is the capacity in bytes.
//   Creating a persistent object in lifecycle initialized or operational needs the
//   admin role; temporary objects may be created by everyone. The high nibble
//   of each state's execute byte and the 4 trailing bytes must be zero
//   (BadParameter otherwise).
inline constexpr size_t kCreateObjectRequestBytes = 2 + 1 + 1 + kAccessRuleBytes + 2 + 4;
//
// Delete object 0x11 (PUBLIC): id u16 -> no data. Needs the object's delete rule.
//
// Read object 0x12 (PUBLIC): id u16, offset u16, length u16 -> data.
// MODELLED: length 0 reads to the end of the written content (WrongLength when
//   that does not fit one frame; an offset at or past the end is OutOfBounds).
//   A key object reads as its public part: curve u8 followed by X || Y
//   (field_bytes each); reading a key pair never returns the private scalar.
//
// Write object 0x13 (PUBLIC): id u16, offset u16, data -> no data. Only data and
//   certificate objects; key objects are written with import key. MODELLED:
//   content grows without holes: offset beyond the written bytes, or past the
//   capacity, is OutOfBounds.
//
// List objects 0x15 (MODELLED layout): start id u16 -> more u8, count u8, then
//   count entries of kListEntryBytes: id u16, type u8, properties u8, curve u8
//   (0xFF when none), length u16, used u16, rules [9].
inline constexpr size_t kListEntryBytes = 2 + 1 + 1 + 1 + 2 + 2 + kAccessRuleBytes;
inline constexpr uint8_t kNoCurve = 0xFF;
//
// Import key 0xCA (MODELLED layout; the public chip takes signed/encrypted key
//   blobs checked with object 0x1000): id u16, curve u8, format u8, material.
//   format kImportGenerate: no material; the chip generates a key pair inside
//     the object and answers with the new public key X || Y (saves the read).
//   format kImportPublic: material is X || Y; for public-key objects.
//   Other formats (signed/encrypted key blobs) are AlgorithmNotSupported.
//   Needs the object's generate rule.
inline constexpr uint8_t kImportGenerate = 0;
inline constexpr uint8_t kImportPublic = 2;
//
// Sign/verify 0xC8 (PUBLIC): mode u8 (2 sign, 1 verify), algorithm u8, key id u16,
//   0 u8, data length u16, data, signature length u16, signature.
//   sign -> raw r || s; verify -> no data, or status BadSignature.
// MODELLED: EcdsaDigest takes a digest of 20..64 bytes (truncated per ECDSA);
//   the reserved byte must be 0; a sign request carries an empty signature.
inline constexpr uint8_t kModeVerify = 1;
inline constexpr uint8_t kModeSign = 2;
//
// Key exchange 0xC3 (MODELLED: the public material does not give the payload for
//   a raw ECDH secret): key id u16, point length u16, peer point X || Y ->
//   shared secret (the X coordinate, field_bytes). A point that is not on the
//   key's curve is refused with BadParameter. Needs the key's execute rule.
//
// Get random 0xC9 (PUBLIC): length u16 (1..1024) -> random bytes.
//
// Set lifecycle 0xF3 (PUBLIC): state u8 -> no data. MODELLED: admin only; one
//   way (3 -> 4 -> 5 -> 6); a step back is SecurityCondition. In Terminated
//   every command but ping and get status answers SecurityCondition.
//
// MODELLED: cipher, secure channel, message digest, MAC, sleep, set config and
//   factory reset are not implemented by the model; they answer UnknownCommand
//   like codes the chip does not know.

// MODELLED product identity reported by get status.
inline constexpr std::string_view kProductName = "MAXQ1061";
inline constexpr uint8_t kFirmwareVersion[4] = {1, 2, 0, 0};

}  // namespace maxq::wire
