// The links maxq1061.so can open. Which ones is decided when the module is
// built: the built-in hardware links (ftdi:, broker:) always; the simulated
// chips (sim:, unix:, ftdi:model:) of simulated_links/ only with
// -DMAXQ1061_WITH_SIMULATOR=ON (device_links_simulated.cc). Without them
// (device_links_hardware_only.cc) those device strings are a ConfigError that
// says this build has no simulator and what to use instead.
#pragma once

#include "transport/link_registry.h"

namespace maxq::provider {

// A new table: built when a device session is opened, owned by the caller.
transport::LinkRegistry device_links();

}  // namespace maxq::provider
