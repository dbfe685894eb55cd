// Admin isolation: the MAXQ1061's admin condition and its challenge are global
// to the chip, but maxq1061d serves many clients. The rules:
//
//  - A client's admin sequence holds the chip for that client alone: from its
//    get challenge (C7) through admin login (C2 pass 01) and its commands as
//    admin to its admin reset (C2 pass 03) or its disconnect. Other clients'
//    commands wait in arrival order meanwhile (ChipScheduler's hold).
//  - A challenge serves only the client that asked for it, and only when its
//    login is the very next chip command (the chip itself discards a challenge
//    on any other command, §4.3): any other login is answered by the daemon,
//    without the chip, with "not allowed in this context".
//  - A challenge hold that is not followed by a login within
//    --challenge-hold-ms, or an admin session idle for --admin-hold-ms while
//    others wait, is ended by the daemon (for an admin session it sends the
//    admin reset itself); the client's next command runs without admin.
//
// This file is the pure part: which commands start, continue and end a hold.
#pragma once

#include <cstdint>

#include "wire/bytes.h"

namespace maxq::broker {

using ClientId = uint64_t;  // 0: nobody (or the daemon itself)

enum class HoldKind : uint8_t {
  None,
  Challenge,  // the client's C7 answered; its login may follow
  Admin,      // the client logged in as admin
};
const char* hold_kind_name(HoldKind kind);

enum class CommandClass : uint8_t {
  Challenge,   // C7
  AdminLogin,  // C2 with any pass but close (pass 01, and forms this version does not know)
  AdminReset,  // C2 pass 03
  Other,
};
CommandClass classify(uint8_t command, ByteView payload);

// The hold a client has after a command of class `cls` that the chip
// answered (`ok`: status OK), given the hold it had before (None when it held
// nothing). A failed login of an admin keeps the hold: whether the chip
// still counts it as admin is not known, so nobody else may run meanwhile.
HoldKind next_hold(HoldKind before, CommandClass cls, bool ok);

// Who owns the challenge the chip holds now: the client whose C7 was the last
// chip command, if it was answered OK; nobody after any other command.
class ChallengeOwner {
 public:
  // After every exchange with the chip (the daemon's own: client 0).
  void after_command(ClientId client, CommandClass cls, bool ok) {
    owner_ = (cls == CommandClass::Challenge && ok) ? client : 0;
  }
  // True when `client`'s login may go to the chip.
  bool may_log_in(ClientId client) const { return client != 0 && owner_ == client; }
  void clear() { owner_ = 0; }
  ClientId owner() const { return owner_; }

 private:
  ClientId owner_ = 0;
};

}  // namespace maxq::broker
