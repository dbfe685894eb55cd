// wire/object_layout: create/read/write/list requests, object ids, id lists,
// object records (the chip's answer to the host: untrusted on the host side).
#include "fuzz/fuzz_support.h"
#include "wire/object_layout.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  uint8_t which = in.u8();
  ByteView body = in.rest();
  try {
    switch (which % 7) {
      case 0:
        wire::decode_create_object(body);
        break;
      case 1:
        wire::decode_object_id(body, "fuzz");
        break;
      case 2:
        wire::decode_read_object(body);
        break;
      case 3:
        wire::decode_write_object(body);
        break;
      case 4:
        wire::decode_list_request(body);
        break;
      case 5:
        wire::decode_id_list(body);
        break;
      default:
        wire::decode_object_record(body);
    }
  } catch (const MalformedPayload&) {
  }
  return 0;
}
