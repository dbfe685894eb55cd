// Frame codec: both decoders over arbitrary bytes; a frame that decodes
// re-encodes to the same bytes; the header-size helper stays in bounds.
#include <cstdlib>

#include "wire/frame_codec.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView in(data, size);
  wire::CommandFrame cmd;
  if (wire::decode_command(in, cmd) == wire::FrameError::None) {
    Bytes again = wire::encode_command(cmd.command, cmd.payload);
    if (again != in.to_bytes()) std::abort();
  }
  wire::ResponseFrame resp;
  if (wire::decode_response(in, resp) == wire::FrameError::None) {
    Bytes again = wire::encode_response(resp.status, resp.payload);
    if (again != in.to_bytes()) std::abort();
  }
  size_t n = wire::frame_size_from_header(in.subview(0, 5));
  (void)n;
  return 0;
}
