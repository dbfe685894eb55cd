// Placeholder until the unix-socket link lands (issue 4): refuses clearly.
#include "transport/unix_link.h"

#include "transport/errors.h"

namespace maxq::transport {

std::unique_ptr<Link> open_unix_link(const DeviceSpec& spec) {
  throw LinkError(LinkError::Kind::NotFound,
                  "device unix:" + spec.target + ": the unix-socket link is not available in this build");
}

}  // namespace maxq::transport
