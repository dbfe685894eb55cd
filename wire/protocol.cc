#include "wire/protocol.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace maxq::wire {
namespace {

constexpr std::array<CurveInfo, 6> kCurves = {{
    {Curve::P256, 32, "prime256v1", "P-256", 256, 128},
    {Curve::P384, 48, "secp384r1", "P-384", 384, 192},
    {Curve::P521, 66, "secp521r1", "P-521", 521, 256},
    {Curve::Brainpool256, 32, "brainpoolP256r1", "", 256, 128},
    {Curve::Brainpool384, 48, "brainpoolP384r1", "", 384, 192},
    {Curve::Brainpool512, 64, "brainpoolP512r1", "", 512, 256},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

size_t rule_byte(Lifecycle state, Operation op) {
  size_t base = static_cast<size_t>(static_cast<uint8_t>(state) - 3) * 3;
  return base + static_cast<uint8_t>(op) / 2;
}
unsigned rule_shift(Operation op) {
  return (static_cast<uint8_t>(op) % 2) * 4;
}
bool rule_state_valid(Lifecycle s) {
  return s == Lifecycle::Delivery || s == Lifecycle::Initialized || s == Lifecycle::Operational;
}

}  // namespace

std::string_view command_name(uint8_t code) {
  switch (static_cast<Command>(code)) {
    case Command::CreateObject:
      return "create object";
    case Command::DeleteObject:
      return "delete object";
    case Command::ReadObject:
      return "read object";
    case Command::WriteObject:
      return "write object";
    case Command::UpdateCounter:
      return "update counter";
    case Command::ListObjects:
      return "list objects";
    case Command::Cipher:
      return "cipher";
    case Command::SecureChannel:
      return "secure channel";
    case Command::AdminAuthenticate:
      return "admin authenticate";
    case Command::KeyExchange:
      return "key exchange";
    case Command::TlsRecord:
      return "TLS record";
    case Command::GetChallenge:
      return "get challenge";
    case Command::SignVerify:
      return "sign/verify";
    case Command::GetRandom:
      return "get random";
    case Command::ImportKey:
      return "import key";
    case Command::ImportRootCert:
      return "import root certificate";
    case Command::VerifyBoot:
      return "verify boot";
    case Command::ImportChildCert:
      return "import child certificate";
    case Command::MessageDigest:
      return "message digest";
    case Command::Mac:
      return "MAC";
    case Command::Sleep:
      return "sleep";
    case Command::GetStatus:
      return "get status";
    case Command::SetLifecycle:
      return "set lifecycle";
    case Command::SetConfig:
      return "set config";
    case Command::FactoryReset:
      return "factory reset";
    case Command::Ping:
      return "ping";
  }
  return "unknown command";
}

std::string_view status_name(uint16_t status) {
  switch (static_cast<Status>(status)) {
    case Status::Ok:
      return "OK";
    case Status::BadParameter:
      return "bad parameter or object id exists";
    case Status::BadAccessConditions:
      return "invalid access conditions";
    case Status::WrongObjectType:
      return "wrong object type";
    case Status::NotFound:
      return "object not found";
    case Status::OutOfBounds:
      return "wrong offset or length";
    case Status::BadObjectAccess:
      return "bad object access";
    case Status::WrongLength:
      return "wrong length";
    case Status::MemoryFull:
      return "memory full";
    case Status::SecurityCondition:
      return "security condition not satisfied";
    case Status::AccessDenied:
      return "access denied";
    case Status::WrongMac:
      return "wrong MAC or no random available";
    case Status::BadSignature:
      return "bad signature";
    case Status::SecureChannelError:
      return "secure channel error";
    case Status::NotImplemented:
      return "function not implemented";
    case Status::NotAllowed:
      return "command not allowed in this context";
    case Status::CipherBadInput:
      return "encoding error in server parameters";
    case Status::WrongMode:
      return "wrong mode";
    case Status::CryptoNotOk:
      return "crypto operation failed";
    case Status::BadKeyType:
      return "unsupported key type";
    case Status::CryptoFailure:
      return "crypto failure";
    case Status::AlgorithmNotSupported:
      return "algorithm not supported";
    case Status::WrongParams:
      return "wrong parameter value or object id";
    case Status::PaddingError:
      return "padding error";
    case Status::WrongSize:
      return "inconsistent message length";
    case Status::BufferTooSmall:
      return "signature length invalid";
    case Status::HashTooShort:
      return "hash length does not suit the curve";
    case Status::CurveNotSupported:
      return "curve not supported";
    case Status::NameExists:
      return "name already used";
    case Status::InvalidObject:
      return "invalid object";
    case Status::CounterOverflow:
      return "counter reached its limit";
    case Status::ConsistencyError:
      return "bad certificate data format";
    case Status::ObjectEmpty:
      return "object empty";
    case Status::InternalOverflow:
      return "internal memory overflow";
    case Status::BufferOverflow:
      return "memory overflow";
    case Status::InvalidSize:
      return "size too big";
    case Status::AccessDeniedAlt:
      return "access denied";
    case Status::WrongParam:
      return "wrong command parameter";
    case Status::FrameError:
      return "command frame corrupted on the bus";
    case Status::NoTemporarySlot:
      return "no free temporary object slot";
  }
  return "unknown status";
}

bool roles_pass(uint8_t allowed, uint8_t held) {
  if (allowed == kRoleAlways) return true;
  return (allowed & held & kRoleAlways) != 0;
}

uint8_t rule_roles(const uint8_t (&rules)[kAccessRuleBytes], Lifecycle state, Operation op) {
  if (!rule_state_valid(state)) return 0;
  return (rules[rule_byte(state, op)] >> rule_shift(op)) & 0x0F;
}

void set_rule_roles(uint8_t (&rules)[kAccessRuleBytes], Lifecycle state, Operation op,
                    uint8_t roles) {
  if (!rule_state_valid(state)) return;
  uint8_t& b = rules[rule_byte(state, op)];
  unsigned shift = rule_shift(op);
  b = static_cast<uint8_t>((b & ~(0x0F << shift)) | ((roles & 0x0F) << shift));
}

std::optional<CurveInfo> curve_info(uint8_t curve_id) {
  for (const CurveInfo& c : kCurves)
    if (static_cast<uint8_t>(c.curve) == curve_id) return c;
  return std::nullopt;
}

std::optional<CurveInfo> curve_by_name(std::string_view name) {
  for (const CurveInfo& c : kCurves) {
    if (iequals(name, c.sn) || (!c.nist.empty() && iequals(name, c.nist))) return c;
  }
  // Common aliases.
  if (iequals(name, "secp256r1")) return kCurves[0];
  return std::nullopt;
}

}  // namespace maxq::wire
