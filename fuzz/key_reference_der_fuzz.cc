// The key-reference decoder's DER step. A body that decodes is strict DER:
// it encodes back to the same bytes.
#include <cstdlib>

#include "provider/key_reference.h"

using namespace maxq;
using namespace maxq::provider;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView body(data, size);
  try {
    if (auto ref = decode_key_reference_body(body)) {
      if (encode_key_reference_body(*ref) != body.to_bytes()) std::abort();
    }
  } catch (const BadKeyReference&) {
  }
  return 0;
}
