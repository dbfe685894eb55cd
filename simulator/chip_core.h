// The chip behind the SPI face: the command interpreter. It executes one
// decoded command frame against the persistent state (under the state file's
// lock, freshly re-read) and this session's volatile state (admin role, last
// challenge, temporary objects), and returns the encoded response frame.
// Every payload is decoded with the wire/ layouts (*_layout.h).
//
// Handlers check a command in this order: layout and lengths
// (WrongLength), parameter values (BadParameter, AlgorithmNotSupported,
// CurveNotSupported), the object (NotFound, then BadParameter for the wrong
// type), the access rule (AccessDenied), the object's content (ObjectEmpty,
// OutOfBounds) and finally resources (MemoryFull, NoTemporarySlot). Lengths
// that depend on the key's curve (signature, peer point) are checked once the
// key is known; create object checks the admin role before an existing id.
// Signed imports (CA, CB) check the signature by the key-import key before
// they look at what it signs.
//
// The challenge of get challenge is kept for the command right after it only
// (§4.3): execute() takes it out of the session before any command runs, so
// every command, whatever it is and however it ends, discards it; admin
// authenticate reads what the command before it left (previous_challenge_).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "simulator/counters.h"
#include "simulator/fault_injector.h"
#include "simulator/object_store.h"
#include "simulator/sim_crypto.h"
#include "simulator/state_file.h"
#include "wire/frame_codec.h"
#include "wire/key_layout.h"

namespace maxq::sim {

// What a command handler returns: a status and the response payload.
struct Reply {
  wire::Status status = wire::Status::Ok;
  Bytes payload;
  static Reply ok(Bytes p = {}) { return {wire::Status::Ok, std::move(p)}; }
  static Reply error(wire::Status s) { return {s, {}}; }
};

// Volatile state of one chip session: lost at reset, which in the model is
// when the Chip object goes away.
struct Session {
  bool admin = false;
  std::optional<Bytes> challenge;  // set by get challenge, taken by the next command
  ObjectMap temporary;
};

// The view of the chip one command works on.
struct Transaction {
  PersistentState& state;
  ObjectStore objects;
  bool save = false;  // the persistent state changed and must be written back
};

class ChipCore {
 public:
  // Opens the chip whose state lives in `state_path` (StateError if unusable).
  explicit ChipCore(const std::string& state_path);

  // Executes one intact command frame and returns the encoded response frame.
  // Throws StateError when the state file became unusable.
  Bytes execute(const wire::CommandFrame& frame);
  // The response to a frame that arrived damaged (bad sync, CRC or length).
  Bytes frame_error();

  // The curve of the key the last executed command used (signed with,
  // generated, imported, checked against), if it got that far: the latency
  // model times EC operations by it.
  std::optional<wire::Curve> key_curve() const { return key_curve_; }

  FaultInjector& faults() { return faults_; }
  Counters& counters() { return *counters_; }
  const StateFile& state_file() const { return *state_; }

 private:
  Reply dispatch(uint8_t code, ByteView payload);

  // Handlers: status_commands.cc (ping, status, random), admin_commands.cc
  // (challenge, authenticate, lifecycle), object_commands.cc,
  // import_commands.cc (import key), certificate_commands.cc (import root
  // certificate), key_commands.cc (sign/verify, key exchange).
  using Handler = Reply (ChipCore::*)(Transaction& t, ByteView p);
  Reply ping(Transaction& t, ByteView p);
  Reply get_status(Transaction& t, ByteView p);
  Reply get_random(Transaction& t, ByteView p);
  Reply get_challenge(Transaction& t, ByteView p);
  Reply admin_authenticate(Transaction& t, ByteView p);
  Reply set_lifecycle(Transaction& t, ByteView p);
  Reply create_object(Transaction& t, ByteView p);
  Reply delete_object(Transaction& t, ByteView p);
  Reply read_object(Transaction& t, ByteView p);
  Reply write_object(Transaction& t, ByteView p);
  Reply list_objects(Transaction& t, ByteView p);
  Reply import_key(Transaction& t, ByteView p);
  Reply import_root_certificate(Transaction& t, ByteView p);
  Reply sign_verify(Transaction& t, ByteView p);
  Reply key_exchange(Transaction& t, ByteView p);

  // The outer checks of a signed import (CA, CB): pass, algorithm,
  // verification key and its signature over the body. Ok or the refusal.
  wire::Status check_signed_import(Transaction& t, const wire::SignedImport& s);
  // Verifies a raw r || s ECDSA-SHA-256 signature over `message` with the
  // pre-loaded public key `key_id` (0x1000, 0x1001): Ok, WrongLength for a
  // signature of the wrong size, BadSignature, or a refusal about the key.
  wire::Status verify_with_preloaded(Transaction& t, uint16_t key_id, ByteView message,
                                     ByteView signature);

  // The role bits this session holds: admin after authentication, nothing
  // else (the model has neither verify boot nor a secure channel).
  uint8_t roles() const;
  bool allowed(const Transaction& t, const Object& o, wire::Operation op) const;
  // The object's key as a libcrypto key (built once, then cached).
  EVP_PKEY* key_of(Object& o);

  SimCrypto crypto_;  // first: the state file uses it
  std::unique_ptr<StateFile> state_;
  std::unique_ptr<Counters> counters_;
  FaultInjector faults_;
  Session session_;
  // The challenge the command before this one left (see the top of the file).
  std::optional<Bytes> previous_challenge_;
  std::optional<wire::Curve> key_curve_;  // see key_curve()
};

}  // namespace maxq::sim
