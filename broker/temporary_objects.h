// Temporary (RAM) objects belong to the client that created them: maxq1061d
// records each one a client creates, refuses other clients' commands that
// name it, and deletes what a client still holds when it disconnects or dies.
// Persistent objects are the chip's business (its access rules decide).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "broker/admin_isolation.h"
#include "wire/bytes.h"

namespace maxq::broker {

// The object a command frame names, for the commands whose layout says where
// (create, delete, read, write, sign/verify, import key, the simulator's ECDH);
// nullopt for other commands and for payloads too short to name one (the chip
// answers those itself).
std::optional<uint16_t> named_object(uint8_t command, ByteView payload);

// A create-object request as far as ownership goes; nullopt when malformed.
struct CreateRequest {
  uint16_t id = 0;
  bool temporary = false;
};
std::optional<CreateRequest> parse_create(ByteView payload);

class TemporaryObjects {
 public:
  // Owner of temporary object `id`, or 0.
  ClientId owner(uint16_t id) const;
  void created(ClientId client, uint16_t id);
  void deleted(uint16_t id);
  std::vector<uint16_t> owned_by(ClientId client) const;
  size_t count(ClientId client) const;
  // The chip was reset or replaced (bridge replugged, device reopened): its
  // RAM objects are gone.
  void forget_all();

 private:
  mutable std::mutex mutex_;  // status queries read from other threads
  std::map<uint16_t, ClientId> owners_;
};

}  // namespace maxq::broker
