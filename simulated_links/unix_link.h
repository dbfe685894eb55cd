// unix:PATH, a SpiLink to a `maxq1061-sim` daemon on a unix socket (simulated_links.h).
#pragma once

#include <memory>

#include "transport/device_spec.h"
#include "transport/link.h"

namespace maxq::transport {

std::unique_ptr<Link> open_unix_link(const DeviceSpec& spec);

}  // namespace maxq::transport
