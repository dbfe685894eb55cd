// Words for the chip's numbers: key usages, algorithms, key types, object
// properties, access conditions in the SDK's rule syntax, configuration words.
#pragma once

#include <cstdint>
#include <string>

#include "wire/protocol.h"

namespace maxq::tool {

std::string key_usage_name(uint8_t usage);          // "data-signature", "none", "usage-0x42"
std::string algorithm_name(uint8_t algorithm);      // "ecdsa-sha256", "algorithm-0x42"
std::string key_type_name(uint8_t key_type);        // "ecc", "aes", ...
std::string object_properties_text(uint8_t props);  // "persistent,wipe-on-tamper"

// Access conditions of one lifecycle state in the SDK's rule syntax
// (MXQ_Parse_Access_Rules): roles a (admin), s (secure boot), h (host), x
// (always = all three bits); operations r w d g x. Ops allowed always come
// first, then one clause per role: "x=rx,a=wdg". "-" when nothing is allowed.
std::string access_rule_text(const uint8_t (&rules)[wire::kAccessRuleBytes], wire::Lifecycle state);
// All three states, separated by ':' as the SDK writes them.
std::string access_rules_text(const uint8_t (&rules)[wire::kAccessRuleBytes]);

// A 0x55AA / 0xAA55 configuration word as "yes" / "no", else its hex value.
std::string config_flag_text(uint16_t word);

}  // namespace maxq::tool
