#include "transport/errors.h"

#include <cstdio>

#include "wire/protocol.h"

namespace maxq::transport {
namespace {

using wire::Command;
using wire::Status;

// What a status word means for this particular command, and what to do.
// Falls back to the command-independent hint.
std::string hint(Command cmd, Status status) {
  switch (status) {
    case Status::BadParameter:
      switch (cmd) {
        case Command::CreateObject:
          return "An object with this id probably exists already (see `maxq1061-tool list`); "
                 "delete it or pick another id";
        case Command::KeyExchange:
          return "The peer's public point is not on the key's curve, or the object is not a "
                 "key pair; check the peer key";
        case Command::ImportKey:
        case Command::ImportRootCert:
          return "The key or certificate does not suit the object; check its curve and type";
        case Command::SignVerify:
          return "The object cannot do this: signing needs a key-pair object";
        default:
          return "A parameter was refused; check the object id, type and curve";
      }
    case Status::NotFound:
      return "Check the id with `maxq1061-tool list`";
    case Status::OutOfBounds:
      return "The offset or length lies outside the object; check its size with "
             "`maxq1061-tool list`";
    case Status::WrongLength:
      switch (cmd) {
        case Command::SignVerify:
          return "The digest or the signature (2 x the curve's field size) has a size the key "
                 "does not take";
        case Command::KeyExchange:
          return "The peer point must be X || Y of the key's curve";
        case Command::GetChallenge:
        case Command::GetRandom:
          return "Ask for 1 to 1024 bytes per command";
        case Command::ImportKey:
          return "The key descriptor's lengths do not match the curve";
        default:
          return "The request has a length the chip does not accept";
      }
    case Status::MemoryFull:
      return "The chip's secure storage is full: delete objects that are no longer needed with "
             "`maxq1061-tool delete`";
    case Status::SecurityCondition:
      if (cmd == Command::AdminAuthenticate)
        return "Ask for a 16-byte challenge right before; any other command, and each "
               "authenticate attempt, discards it";
      if (cmd == Command::SetLifecycle)
        return "The lifecycle only moves forward (delivery, initialized, operational, "
               "terminated)";
      return "The chip's lifecycle state does not allow this (a terminated chip answers only "
             "ping and status); check it with `maxq1061-tool status`";
    case Status::AccessDenied:
      return "This needs the admin role: set admin-key in the provider's config section or "
             "MAXQ1061_ADMIN_KEY to the admin key's PEM file, or the object's access rules "
             "forbid it";
    case Status::BadSignature:
      if (cmd == Command::AdminAuthenticate)
        return "The admin key does not belong to this chip (object 0x1001); check admin-key / "
               "MAXQ1061_ADMIN_KEY";
      if (cmd == Command::ImportKey || cmd == Command::ImportRootCert)
        return "The key-import key does not belong to this chip (object 0x1000); check "
               "key-import-key / MAXQ1061_KEY_IMPORT_KEY";
      return "The signature does not verify with this key";
    case Status::CryptoFailure:
      return "The chip's crypto engine failed; retry, and check the chip if it persists";
    case Status::AlgorithmNotSupported:
      return "The chip does not implement this algorithm or import format";
    case Status::CurveNotSupported:
      return "Use P-256, P-384, P-521 or a brainpool curve of 256, 384 or 512 bits";
    case Status::ConsistencyError:
      return "The certificate and its header disagree; re-export the certificate as DER";
    case Status::BadKeyType:
      return "The key's usage does not allow this operation (see its usage with "
             "`maxq1061-tool list`)";
    case Status::ObjectEmpty:
      return "The object holds no key or data yet; generate the key or write the data first";
    case Status::FrameError:
      return "The command was damaged on the bus every time it was sent; check the wiring and "
             "lower spi-clock-hz";
    case Status::NotImplemented:
      return "The chip's firmware does not implement this command";
    case Status::AccessDeniedAlt:
      return "The object's access rules forbid this in the chip's lifecycle state";
    case Status::WrongParams:
    case Status::WrongParam:
      return "A parameter value or object id was refused; check the id and the key's curve";
    case Status::WrongObjectType:
      return "The object is of another type than this command needs";
    case Status::NoTemporarySlot:
      return "All temporary (RAM) key slots of this session are in use; delete ephemeral keys "
             "first";
    default:
      break;
  }
  return "See the MAXQ1061 status word list";
}

}  // namespace

ChipError make_chip_error(uint8_t command, uint16_t status, const std::string& what) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%04x", status);
  std::string msg = what + ": " + std::string(wire::status_name(status)) + " (status " + code +
                    "). " + hint(static_cast<Command>(command), static_cast<Status>(status));
  return ChipError(command, status, msg);
}

}  // namespace maxq::transport
