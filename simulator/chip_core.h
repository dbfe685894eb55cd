// The chip behind the SPI face: executes one decoded command frame against the
// persistent state (under the state file's lock) and this session's volatile
// state (roles, challenge, temporary objects), and returns the response frame.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "simulator/counters.h"
#include "simulator/fault_injector.h"
#include "simulator/object_store.h"
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

// Volatile state of one chip session (lost at reset; in the model, when the
// Chip object goes away).
struct Session {
  bool admin = false;
  std::optional<Bytes> challenge;
  ObjectMap temporary;
};

class ChipCore {
 public:
  ChipCore(std::unique_ptr<StateFile> state, std::unique_ptr<Counters> counters);

  // Executes one command frame and returns the encoded response frame.
  Bytes execute(const wire::CommandFrame& frame);
  // Response for a frame that could not be decoded.
  Bytes frame_error();

  FaultInjector& faults() { return faults_; }
  Counters& counters() { return *counters_; }
  const StateFile& state_file() const { return *state_; }

 private:
  Reply dispatch(wire::Command cmd, ByteView payload);

  // One handler per command, grouped in chip_commands.cc (ping, status,
  // challenge, admin, lifecycle, random), object_commands.cc and key_commands.cc.
  // `s` is the freshest persistent state under the lock; a handler that changes
  // it sets `modified` so it is written back.
  using Handler = Reply (ChipCore::*)(PersistentState& s, ByteView p, bool& modified);
  Reply ping(PersistentState& s, ByteView p, bool& modified);
  Reply get_status(PersistentState& s, ByteView p, bool& modified);
  Reply get_challenge(PersistentState& s, ByteView p, bool& modified);
  Reply admin_authenticate(PersistentState& s, ByteView p, bool& modified);
  Reply set_lifecycle(PersistentState& s, ByteView p, bool& modified);
  Reply get_random(PersistentState& s, ByteView p, bool& modified);
  Reply create_object(PersistentState& s, ByteView p, bool& modified);
  Reply delete_object(PersistentState& s, ByteView p, bool& modified);
  Reply read_object(PersistentState& s, ByteView p, bool& modified);
  Reply write_object(PersistentState& s, ByteView p, bool& modified);
  Reply list_objects(PersistentState& s, ByteView p, bool& modified);
  Reply import_key(PersistentState& s, ByteView p, bool& modified);
  Reply sign_verify(PersistentState& s, ByteView p, bool& modified);
  Reply key_exchange(PersistentState& s, ByteView p, bool& modified);

  // An object by id, persistent or temporary; nullptr when absent.
  Object* find(PersistentState& s, uint16_t id);
  bool allowed(const PersistentState& s, const Object& o, wire::Operation op) const;
  uint8_t roles() const;

  std::unique_ptr<StateFile> state_;
  std::unique_ptr<Counters> counters_;
  FaultInjector faults_;
  Session session_;
};

}  // namespace maxq::sim
