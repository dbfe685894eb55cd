// The chip behind the SPI face: the command interpreter. It executes one
// decoded command frame against the persistent state (under the state file's
// lock, freshly re-read) and this session's volatile state (admin role, last
// challenge, temporary objects), and returns the encoded response frame.
//
// Handlers check a command in this order: layout and lengths
// (WrongLength), parameter values (BadParameter, AlgorithmNotSupported,
// CurveNotSupported), the object (NotFound, then BadParameter for the wrong
// type), the access rule (AccessDenied), the object's content (ObjectEmpty,
// OutOfBounds) and finally resources (MemoryFull, NoTemporarySlot). Lengths
// that depend on the key's curve (signature, peer point) are checked once the
// key is known; create object checks the admin role before an existing id.
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
  std::optional<Bytes> challenge;
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
  // (challenge, authenticate, lifecycle), object_commands.cc, key_commands.cc.
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
  Reply sign_verify(Transaction& t, ByteView p);
  Reply key_exchange(Transaction& t, ByteView p);

  // The roles this session holds: everyone, plus admin after authentication.
  uint8_t roles() const;
  bool allowed(const Transaction& t, const Object& o, wire::Operation op) const;
  // The object's key as a libcrypto key (built once, then cached).
  EVP_PKEY* key_of(Object& o);

  SimCrypto crypto_;  // first: the state file uses it
  std::unique_ptr<StateFile> state_;
  std::unique_ptr<Counters> counters_;
  FaultInjector faults_;
  Session session_;
  std::optional<wire::Curve> key_curve_;  // see key_curve()
};

}  // namespace maxq::sim
