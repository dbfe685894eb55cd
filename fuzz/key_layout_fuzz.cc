// wire/key_layout: key descriptor, signed import, sign request, the
// simulator's ECDH request.
#include "fuzz/fuzz_support.h"
#include "wire/key_layout.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  uint8_t which = in.u8();
  ByteView body = in.rest();
  try {
    switch (which % 4) {
      case 0: {
        ByteView material;
        wire::KeyDescriptor d = wire::decode_key_descriptor(body, material);
        (void)d;
        break;
      }
      case 1: {
        wire::SignedImport s = wire::decode_signed_import(body, "fuzz");
        (void)wire::encode_signed_import(s);
        break;
      }
      case 2:
        wire::decode_sign_request(body);
        break;
      default:
        wire::decode_simulator_ecdh(body);
    }
  } catch (const MalformedPayload&) {
  }
  return 0;
}
