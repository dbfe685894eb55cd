#include "broker/admin_isolation.h"

#include "wire/protocol.h"

namespace maxq::broker {

const char* hold_kind_name(HoldKind kind) {
  switch (kind) {
    case HoldKind::None:
      return "none";
    case HoldKind::Challenge:
      return "challenge";
    case HoldKind::Admin:
      return "admin session";
  }
  return "unknown";
}

CommandClass classify(uint8_t command, ByteView payload) {
  if (command == static_cast<uint8_t>(wire::Command::GetChallenge)) return CommandClass::Challenge;
  if (command == static_cast<uint8_t>(wire::Command::AdminAuthenticate)) {
    // The reset is the single byte 03 (§4.5); anything else may log in.
    if (payload.size() == 1 && payload[0] == wire::kPassClose) return CommandClass::AdminReset;
    return CommandClass::AdminLogin;
  }
  return CommandClass::Other;
}

HoldKind next_hold(HoldKind before, CommandClass cls, bool ok) {
  const bool admin = before == HoldKind::Admin;
  switch (cls) {
    case CommandClass::Challenge:
      // An admin asking for random bytes stays admin.
      if (admin) return HoldKind::Admin;
      return ok ? HoldKind::Challenge : HoldKind::None;
    case CommandClass::AdminLogin:
      if (ok) return HoldKind::Admin;
      return admin ? HoldKind::Admin : HoldKind::None;
    case CommandClass::AdminReset:
      return HoldKind::None;
    case CommandClass::Other:
      // The chip discarded any challenge; an admin session goes on.
      return admin ? HoldKind::Admin : HoldKind::None;
  }
  return HoldKind::None;
}

}  // namespace maxq::broker
