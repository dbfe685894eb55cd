// wire/status_layout: the 93-byte status answer (untrusted on the host side).
#include "fuzz/fuzz_support.h"
#include "wire/status_layout.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    wire::decode_status(ByteView(data, size));
  } catch (const MalformedPayload&) {
  }
  return 0;
}
