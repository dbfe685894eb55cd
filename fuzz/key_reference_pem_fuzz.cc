// The key-reference decoder's PEM step: the stream read in pieces of varying
// size (as OpenSSL's BIOs deliver it) by the incremental scanner, then the
// block's body. The scan must stay linear in the input.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "fuzz/fuzz_support.h"
#include "provider/key_reference.h"

using namespace maxq;
using namespace maxq::provider;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  size_t piece = 1 + in.u8() % 64;  // bytes per read
  ByteView text = in.rest();
  size_t pos = 0, scanned = 0;
  std::string got = read_first_pem_block(
      [&](char* buf, size_t n) {
        n = std::min({n, piece, text.size() - pos});
        std::memcpy(buf, text.data() + pos, n);
        pos += n;
        return n;
      },
      size_t{1} << 20, &scanned);
  if (scanned > 3 * got.size() + 64) std::abort();  // linear, whatever the pieces
  if (got.size() != pos) std::abort();
  try {
    if (auto body = key_reference_pem_body(got)) {
      if (auto ref = decode_key_reference_body(*body)) {
        std::string pem = encode_key_reference_pem(*ref);
        auto back = decode_key_reference_pem(pem);
        if (!back || back->object_id != ref->object_id || back->public_point != ref->public_point)
          std::abort();
      }
    }
  } catch (const BadKeyReference&) {
  }
  return 0;
}
