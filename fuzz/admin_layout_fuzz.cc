// wire/admin_layout: challenge request, admin command (login/reset passes),
// life-cycle request. Bad input is MalformedPayload, nothing else.
#include "fuzz/fuzz_support.h"
#include "wire/admin_layout.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  uint8_t which = in.u8();
  ByteView body = in.rest();
  try {
    switch (which % 3) {
      case 0:
        wire::decode_challenge_request(body);
        break;
      case 1: {
        wire::AdminCommand c = wire::decode_admin_command(body);
        if (c.pass == wire::kPassFirst) (void)wire::encode_admin_login(c.login);
        break;
      }
      default:
        wire::decode_set_lifecycle(body);
    }
  } catch (const MalformedPayload&) {
  }
  return 0;
}
