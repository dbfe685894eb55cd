// The binary format of a simulated chip's state file.
//
// Version 2, big-endian like the wire protocol:
//   magic "MAXQ1061-SIMSTATE" [17], format version u16, generation u64,
//   serial [24], lifecycle u8, object count u16, objects...,
//   SHA-256 over everything before it [32].
// Each object: id u16, type u8, properties u8 (persistent, optionally
//   wipe-on-tamper), rules [9], length u16 (capacity), curve u8 (0xFF none),
//   key policy: present u8 (0/1) and key type, usage 1, algorithm 1, usage 2,
//   algorithm 2 [5], then u16-length-prefixed public point X || Y, private
//   scalar and data (data objects: content; certificates: header + DER).
// Version 1 (round 1: key objects sized by field, no key policy, no
// certificate bodies) is refused: its chip speaks an older protocol, and a new
// one must be provisioned.
// The generation grows by one with every write; processes sharing the file
// compare it (with the inode) to see whether another process changed the chip.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "simulator/object_store.h"
#include "simulator/sim_crypto.h"
#include "wire/bytes.h"

namespace maxq::sim {

inline constexpr char kStateMagic[] = "MAXQ1061-SIMSTATE";
inline constexpr size_t kStateMagicBytes = sizeof(kStateMagic) - 1;
inline constexpr uint16_t kStateFormatVersion = 2;
// Magic, version and generation: enough to tell whether the file changed.
inline constexpr size_t kStatePrefixBytes = kStateMagicBytes + 2 + 8;

Bytes encode_state(const PersistentState& state, uint64_t generation, SimCrypto& crypto);

// Parses and checks a whole state file. Throws StateError naming `path` and
// saying what to do when it is empty, truncated, corrupt or of another format.
PersistentState decode_state(ByteView file, const std::string& path, uint64_t& generation,
                             SimCrypto& crypto);

// The generation stored in the first kStatePrefixBytes of a file; nullopt when
// the prefix is not one of a state file of kStateFormatVersion.
std::optional<uint64_t> peek_generation(ByteView prefix);

}  // namespace maxq::sim
