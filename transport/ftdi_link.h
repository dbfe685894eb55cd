// FTDI USB-to-SPI link (libftdi1, MPSSE). See issue 4.
#pragma once

#include <memory>

#include "transport/device_spec.h"
#include "transport/link.h"

namespace maxq::transport {

// Opens the FTDI bridge named by spec.target and configures MPSSE SPI mode 0.
std::unique_ptr<Link> open_ftdi_link(const DeviceSpec& spec);

}  // namespace maxq::transport
