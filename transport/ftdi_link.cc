// ftdi:DESC opens an FTDI bridge through libftdi1, loaded (dlopen) when the
// first bridge is opened. ftdi:model:STATE, the same link against an
// in-memory FT232H, is a plug-in of simulated_links/.
#include "transport/ftdi_link.h"

#include "transport/errors.h"
#include "transport/spi_link.h"

namespace maxq::transport {

std::unique_ptr<Link> open_mpsse_link(std::unique_ptr<FtdiUsb> usb, FtdiBusConfig config) {
  SpiLinkOptions options = SpiLinkOptions::for_clock(config.spi_clock_hz);
  return std::make_unique<SpiLink>(
      std::make_unique<FtdiMpsseBus>(std::move(usb), std::move(config)), options);
}

std::unique_ptr<Link> open_ftdi_link(const DeviceSpec& spec) {
  FtdiBusConfig config = FtdiBusConfig::from_spec(spec);
  std::unique_ptr<FtdiUsb> usb;
  try {
    usb = make_libftdi_usb();
  } catch (const ConfigError& e) {
    throw ConfigError("device ftdi:" + spec.target + ": " + e.what());
  }
  return open_mpsse_link(std::move(usb), std::move(config));
}

LinkScheme ftdi_link_scheme() {
  LinkScheme s;
  s.name = "ftdi";
  s.usage =
      "ftdi:DESC[,spi-clock-hz=N][,ftdi-interface=A|B|C|D][,cs-pin=N] (e.g. ftdi:i:0x0403:0x6014)";
  s.target_word = "description";
  s.canonical = [](const DeviceSpec& spec) {
    return "ftdi:" + spec.target + FtdiBusConfig::from_spec(spec).options_text();
  };
  s.open = open_ftdi_link;
  return s;
}

}  // namespace maxq::transport
