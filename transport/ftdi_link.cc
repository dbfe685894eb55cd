// Placeholder until the FTDI link lands (issue 4): refuses clearly.
#include "transport/ftdi_link.h"

#include "transport/errors.h"

namespace maxq::transport {

std::unique_ptr<Link> open_ftdi_link(const DeviceSpec& spec) {
  throw LinkError(LinkError::Kind::NotFound,
                  "device ftdi:" + spec.target + ": the FTDI link is not available in this build");
}

}  // namespace maxq::transport
