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
unsigned rule_shift(Operation op) { return (static_cast<uint8_t>(op) % 2) * 4; }
bool rule_state_valid(Lifecycle s) {
  return s == Lifecycle::Delivery || s == Lifecycle::Initialized || s == Lifecycle::Operational;
}

}  // namespace

std::string_view command_name(uint8_t code) {
  switch (static_cast<Command>(code)) {
    case Command::CreateObject: return "create object";
    case Command::DeleteObject: return "delete object";
    case Command::ReadObject: return "read object";
    case Command::WriteObject: return "write object";
    case Command::ListObjects: return "list objects";
    case Command::Cipher: return "cipher";
    case Command::SecureChannel: return "secure channel";
    case Command::AdminAuthenticate: return "admin authenticate";
    case Command::KeyExchange: return "key exchange";
    case Command::GetChallenge: return "get challenge";
    case Command::SignVerify: return "sign/verify";
    case Command::GetRandom: return "get random";
    case Command::ImportKey: return "import key";
    case Command::MessageDigest: return "message digest";
    case Command::Mac: return "MAC";
    case Command::Sleep: return "sleep";
    case Command::GetStatus: return "get status";
    case Command::SetLifecycle: return "set lifecycle";
    case Command::SetConfig: return "set config";
    case Command::FactoryReset: return "factory reset";
    case Command::Ping: return "ping";
  }
  return "unknown command";
}

std::string_view status_name(uint16_t status) {
  switch (static_cast<Status>(status)) {
    case Status::Ok: return "OK";
    case Status::BadParameter: return "bad parameter or object id exists";
    case Status::NotFound: return "object not found";
    case Status::OutOfBounds: return "out of bounds";
    case Status::WrongLength: return "wrong length";
    case Status::MemoryFull: return "memory full";
    case Status::SecurityCondition: return "security condition not satisfied";
    case Status::AccessDenied: return "access denied";
    case Status::BadSignature: return "bad signature";
    case Status::CryptoFailure: return "crypto failure";
    case Status::AlgorithmNotSupported: return "algorithm not supported";
    case Status::CurveNotSupported: return "curve not supported";
    case Status::ObjectEmpty: return "object empty";
    case Status::FrameError: return "command frame corrupted on the bus";
    case Status::UnknownCommand: return "unknown command";
    case Status::NoTemporarySlot: return "no free temporary object slot";
  }
  return "unknown status";
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
