// maxq1061d's frames (broker/broker_protocol): header, command, error and
// status bodies, as the daemon reads clients' messages and clients read the
// daemon's. A status that parses round-trips in its canonical form.
#include <cstdlib>

#include "broker/broker_protocol.h"
#include "fuzz/fuzz_support.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  uint8_t which = in.u8();
  ByteView body = in.rest();
  std::string error;
  switch (which % 4) {
    case 0:
      if (!broker::parse_header(body, error) && error.empty()) std::abort();
      break;
    case 1:
      if (auto c = broker::parse_command(body, error)) {
        if (c->frame.data() < body.data() || c->frame.end() > body.end()) std::abort();
      } else if (error.empty()) {
        std::abort();
      }
      break;
    case 2:
      (void)broker::parse_error(body);
      break;
    default:
      if (auto s = broker::parse_status(body, error)) {
        // encode_status gives a whole message (header + body); flags read any
        // non-zero byte as true: compare canonical forms.
        Bytes once = broker::encode_status(*s);
        auto again = broker::parse_status(ByteView(once).subview(broker::kHeaderBytes), error);
        if (!again || broker::encode_status(*again) != once) std::abort();
      } else if (error.empty()) {
        std::abort();
      }
  }
  return 0;
}
