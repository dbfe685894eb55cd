// ftdi:DESC: the chip behind an FTDI USB-to-SPI bridge (libftdi1, MPSSE).
#pragma once

#include <memory>

#include "transport/device_spec.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/link.h"
#include "transport/link_registry.h"

namespace maxq::transport {

// Opens the FTDI bridge named by spec.target and configures MPSSE SPI mode 0.
std::unique_ptr<Link> open_ftdi_link(const DeviceSpec& spec);

// A SpiLink over an MPSSE bus on `usb` (libftdi1, or the in-memory FT232H of
// simulated_links/ for ftdi:model:), polling by time at the configured clock.
std::unique_ptr<Link> open_mpsse_link(std::unique_ptr<FtdiUsb> usb, FtdiBusConfig config);

// ftdi:DESC[,spi-clock-hz=N][,ftdi-interface=A|B|C|D][,cs-pin=N] (device_spec.h).
LinkScheme ftdi_link_scheme();

}  // namespace maxq::transport
