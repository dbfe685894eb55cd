#include "transport/errors.h"

#include <cstdio>

#include "wire/protocol.h"

namespace maxq::transport {
namespace {

const char* hint(uint16_t status) {
  using wire::Status;
  switch (static_cast<Status>(status)) {
    case Status::BadParameter:
      return "check the object id (it may already exist: `maxq1061-tool list`), the key type and "
             "the curve";
    case Status::NotFound: return "check the id with `maxq1061-tool list`";
    case Status::OutOfBounds: return "the offset or length lies outside the object";
    case Status::WrongLength: return "the request has a length the chip does not accept";
    case Status::MemoryFull:
      return "the chip's secure storage is full: delete unused objects with `maxq1061-tool delete`";
    case Status::SecurityCondition:
      return "the chip's lifecycle state or session does not allow this";
    case Status::AccessDenied:
      return "this needs the admin role: set admin-key in the provider's config section or "
             "MAXQ1061_ADMIN_KEY";
    case Status::BadSignature: return "the signature does not verify with this key";
    case Status::CryptoFailure: return "the chip's crypto engine or storage failed";
    case Status::AlgorithmNotSupported: return "the chip does not implement this algorithm";
    case Status::CurveNotSupported:
      return "use P-256, P-384, P-521 or a brainpool curve of 256, 384 or 512 bits";
    case Status::ObjectEmpty: return "the object holds no key or data yet";
    case Status::FrameError: return "the command was damaged on the bus; check the wiring";
    case Status::UnknownCommand: return "the chip does not implement this command";
    case Status::NoTemporarySlot:
      return "all temporary key slots are in use; free ephemeral keys first";
    default: return "see the MAXQ1061 status word list";
  }
}

}  // namespace

ChipError make_chip_error(uint8_t command, uint16_t status, const std::string& what) {
  char code[8];
  std::snprintf(code, sizeof code, "0x%04x", status);
  std::string msg = what + ": " + std::string(wire::status_name(status)) + " (status " + code +
                    "). " + hint(status);
  return ChipError(command, status, msg);
}

}  // namespace maxq::transport
