// Object ids as people write them (the key URI maxq1061:id=..., the key
// generation option id:..., maxq1061-tool's --id) and which of them a new
// object may take: one rule and one table of ranges for every layer.
//   id = "0x" 1*4HEXDIG / decimal 1..65535 without a leading zero
// "0101" is refused as ambiguous (hex or decimal? octal to strtoul) instead of
// being guessed; so are 0, signs, blanks and anything over 16 bits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/protocol.h"

namespace maxq::wire {

// Where key generation with id:auto looks for a free id (the host's choice).
inline constexpr uint16_t kFirstAutoKeyId = 0x0100;
inline constexpr uint16_t kLastAutoKeyId = 0x0FFF;
// The host's temporary key-pair slots for ephemeral keys (TLS key shares,
// provider/temporary_key_slots.h): kTemporarySlots ids from here. A host
// convention, not the chip's: keys made by hand stay out of them.
inline constexpr uint16_t kFirstTemporaryKeyId = 0xFF00;
inline constexpr uint16_t kLastTemporaryKeyId =
    static_cast<uint16_t>(kFirstTemporaryKeyId + kTemporarySlots - 1);

// Ids no new object may take: 0, the pre-loaded key-import and admin keys
// (kKeyImportKeyId, kAdminKeyId) and the temporary key slots.
bool is_reserved_object_id(uint32_t id);

// The id `text` names, or nullopt with `error` saying what is wrong and what
// is allowed (it quotes `text`, made printable and short). With `for_new_object`
// a reserved id is refused too.
std::optional<uint16_t> parse_object_id(std::string_view text, std::string& error,
                                        bool for_new_object = false);

// The message for a reserved id (is_reserved_object_id) a new object cannot
// take; `text` is the id as the user wrote it.
std::string reserved_object_id_error(std::string_view text);

// "0x0101": the canonical form, which parse_object_id reads back.
std::string format_object_id(uint16_t id);

// Untrusted text made fit for an error message: control and non-ASCII bytes
// become \xNN, and it is cut after `max` characters ("...").
std::string printable_text(std::string_view s, size_t max = 40);

}  // namespace maxq::wire
