#include "tools/chip_names.h"

#include <cstdio>
#include <utility>

#include "wire/status_layout.h"

namespace maxq::tool {
namespace {

std::string hex_name(const char* prefix, unsigned v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s-0x%0*x", prefix, digits, v);
  return buf;
}

}  // namespace

std::string key_usage_name(uint8_t usage) {
  switch (usage) {  // §5.7 mxq_keyuse_t
    case 0x00:
      return "secure-channel";
    case 0x01:
      return "data-signature";
    case 0x02:
      return "encryption";
    case 0x04:
      return "tls-authentication";
    case 0x08:
      return "admin-authentication";
    case 0x10:
      return "verify-key-or-certificate";
    case 0x11:
      return "attestation";
    case 0x18:
      return "end-customer-authentication";
    case 0x20:
      return "verify-firmware";
    case 0x80:
      return "key-import";
    case 0x8A:
      return "gpio-control";
    case 0xA0:
      return "firmware-update";
    case 0xA1:
      return "internal-mac";
    case 0xA2:
      return "internal-encryption";
    case 0xD1:
      return "key-exchange";
    case 0xFF:
      return "none";
  }
  return hex_name("usage", usage, 2);
}

std::string algorithm_name(uint8_t algorithm) {
  switch (algorithm) {  // §5.7 mxq_algo_id_t
    case 0x00:
      return "none";
    case 0x02:
      return "sha256";
    case 0x03:
      return "sha384";
    case 0x04:
      return "sha512";
    case 0x07:
      return "ecdsa-any-sha";
    case 0x08:
      return "ecdsa-host-digest";
    case 0x09:
      return "ecdsa-inner-digest";
    case 0x0A:
      return "ecdsa-sha256";
    case 0x0B:
      return "ecdsa-sha384";
    case 0x0C:
      return "ecdsa-sha512";
    case 0x0F:
      return "mac-null";
    case 0x10:
      return "hmac-any-sha";
    case 0x11:
      return "hmac-sha256";
    case 0x12:
      return "hmac-sha384";
    case 0x13:
      return "hmac-sha512";
    case 0x14:
      return "aes-cmac";
    case 0x15:
      return "aes-gmac";
    case 0x16:
      return "aes-cbc-mac";
    case 0x19:
      return "cipher-null";
    case 0x1A:
      return "aes-any";
    case 0x1B:
      return "aes-ecb";
    case 0x1C:
      return "aes-cbc";
    case 0x1D:
      return "aes-ccm";
    case 0x1E:
      return "aes-gcm";
    case 0x1F:
      return "aes-spi";
    case 0x20:
      return "ecies";
    case 0x22:
      return "aes-ctr";
    case 0x81:
      return "sha1";
    case 0xFF:
      return "invalid";
  }
  return hex_name("algorithm", algorithm, 2);
}

std::string key_type_name(uint8_t key_type) {
  switch (key_type) {  // §5.7 mxq_keytype_id_t
    case 0:
      return "aes";
    case 1:
      return "psk";
    case 2:
      return "hmac";
    case 3:
      return "ecc";
    case 4:
      return "ikm";
    case 5:
      return "rsa";
    case 0xFF:
      return "invalid";
  }
  return hex_name("key-type", key_type, 2);
}

std::string object_properties_text(uint8_t props) {
  static const std::pair<uint8_t, const char*> bits[] = {// §5.2
                                                         {0x01, "temporary"},
                                                         {0x02, "persistent"},
                                                         {0x04, "wipe-on-tamper"},
                                                         {0x08, "default"},
                                                         {0x10, "end-user"}};
  std::string s;
  uint8_t known = 0;
  for (auto [bit, name] : bits) {
    known |= bit;
    if (props & bit) s += (s.empty() ? "" : ",") + std::string(name);
  }
  if (props & ~known) s += (s.empty() ? "" : ",") + hex_name("bits", props & ~known, 2);
  return s.empty() ? "-" : s;
}

std::string access_rule_text(const uint8_t (&rules)[wire::kAccessRuleBytes],
                             wire::Lifecycle state) {
  static const std::pair<wire::Operation, char> ops[] = {{wire::Operation::Read, 'r'},
                                                         {wire::Operation::Write, 'w'},
                                                         {wire::Operation::Delete, 'd'},
                                                         {wire::Operation::Generate, 'g'},
                                                         {wire::Operation::Execute, 'x'}};
  // Role letters of the SDK's syntax, and bits no MAXQ106x role has.
  static const std::pair<uint8_t, const char*> roles[] = {
      {wire::kRoleAdmin, "a"}, {wire::kRoleSecureBoot, "s"}, {wire::kRoleHost, "h"}, {0x1, "?1"}};
  std::string always, clauses;
  for (auto [op, letter] : ops)
    if (wire::rule_roles(rules, state, op) == wire::kRoleAlways) always += letter;
  if (!always.empty()) clauses = "x=" + always;
  for (auto [bit, name] : roles) {
    std::string mine;
    for (auto [op, letter] : ops) {
      uint8_t mask = wire::rule_roles(rules, state, op);
      if (mask != wire::kRoleAlways && (mask & bit)) mine += letter;
    }
    if (!mine.empty()) clauses += (clauses.empty() ? "" : ",") + std::string(name) + "=" + mine;
  }
  return clauses.empty() ? "-" : clauses;
}

std::string access_rules_text(const uint8_t (&rules)[wire::kAccessRuleBytes]) {
  return access_rule_text(rules, wire::Lifecycle::Delivery) + ":" +
         access_rule_text(rules, wire::Lifecycle::Initialized) + ":" +
         access_rule_text(rules, wire::Lifecycle::Operational);
}

std::string config_flag_text(uint16_t word) {
  if (word == wire::kConfigEnabled) return "yes";
  if (word == wire::kConfigDisabled) return "no";
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04x", word);
  return buf;
}

}  // namespace maxq::tool
