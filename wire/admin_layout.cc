#include "wire/admin_layout.h"

namespace maxq::wire {

Bytes encode_challenge_request(uint16_t length) {
  return PayloadWriter().u16(length).take();
}

uint16_t decode_challenge_request(ByteView in) {
  PayloadReader r(in, "get challenge");
  uint16_t length = r.u16();
  r.expect_end();
  return length;
}

Bytes encode_admin_login(const AdminLogin& login) {
  PayloadWriter w;
  w.u8(kPassFirst).u8(login.algorithm).u16(login.key_id).u16(0).u16(0);
  w.u16(static_cast<uint16_t>(login.signature.size())).bytes(login.signature);
  return w.take();
}

Bytes encode_admin_reset() {
  return Bytes{kPassClose};
}

AdminCommand decode_admin_command(ByteView in) {
  PayloadReader r(in, "admin authenticate");
  AdminCommand c;
  c.pass = r.u8();
  if (c.pass == kPassFirst) {
    c.login.algorithm = r.u8();
    c.login.key_id = r.u16();
    uint16_t reserved1 = r.u16(), reserved2 = r.u16();
    c.login.reserved_zero = reserved1 == 0 && reserved2 == 0;
    c.login.signature = r.bytes(r.u16()).to_bytes();
    r.expect_end();
  } else if (c.pass == kPassClose) {
    r.expect_end();
  }
  return c;
}

Bytes encode_set_lifecycle(uint8_t state) {
  return Bytes{state};
}

uint8_t decode_set_lifecycle(ByteView in) {
  PayloadReader r(in, "set lifecycle");
  uint8_t state = r.u8();
  r.expect_end();
  return state;
}

}  // namespace maxq::wire
