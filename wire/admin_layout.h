// Get challenge 0xC7 and admin authenticate 0xC2 (PUBLIC, §4.3 and §4.5).
//
// C7: length u16 -> that many random bytes. On MAXQ106x this is also where
//   random numbers come from (the SDK's MXQ_Get_Random is MXQ_Get_Challenge).
//   The chip keeps the challenge for an immediately following admin
//   authenticate (or secure channel) and discards it on any other command.
// C2 pass 1 (login): 01, algorithm u8 (0A), key id u16 (1001), 0000, 0000,
//   signature length u16, raw r||s over the 16-byte challenge -> no data.
// C2 pass 3 (reset): 03 -> no data; ends the admin condition.
#pragma once

#include <cstdint>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::wire {

Bytes encode_challenge_request(uint16_t length);
uint16_t decode_challenge_request(ByteView in);  // throws MalformedPayload

struct AdminLogin {
  uint8_t algorithm = static_cast<uint8_t>(Algorithm::EcdsaSha256);
  uint16_t key_id = kAdminKeyId;
  bool reserved_zero = true;  // decoded: both reserved words were 0000
  Bytes signature;            // raw r || s
};
Bytes encode_admin_login(const AdminLogin& login);
Bytes encode_admin_reset();

struct AdminCommand {
  uint8_t pass = 0;
  AdminLogin login;  // pass kPassFirst only
};
// Throws MalformedPayload when the bytes do not fit the pass's layout. Passes
// other than login and reset are returned with only `pass` set.
AdminCommand decode_admin_command(ByteView in);

// Set life-cycle state 0xF3 (PUBLIC, §4.24 `MXQ_SetState`): the new state u8
// -> no data. Needs the admin condition; one way.
Bytes encode_set_lifecycle(uint8_t state);
uint8_t decode_set_lifecycle(ByteView in);  // throws MalformedPayload

}  // namespace maxq::wire
