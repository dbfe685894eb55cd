// ftdi:DESC opens an FTDI bridge through libftdi1; ftdi:model:STATE runs the
// same link, MPSSE bytes and all, against the in-memory FT232H wired to the
// simulated chip in STATE (for trying a configuration without hardware).
// libftdi1 is loaded (dlopen) only for a real bridge, never for model:.
#include "transport/ftdi_link.h"

#include "simulator/chip.h"
#include "simulator/mpsse_model.h"
#include "transport/errors.h"
#include "transport/ftdi_model_usb.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/spi_link.h"

namespace maxq::transport {

namespace {
constexpr const char* kModelPrefix = "model:";
}

std::unique_ptr<Link> open_ftdi_link(const DeviceSpec& spec) {
  FtdiBusConfig config = FtdiBusConfig::from_spec(spec);
  std::unique_ptr<FtdiUsb> usb;
  if (spec.target.rfind(kModelPrefix, 0) == 0) {
    std::string state = spec.target.substr(std::string(kModelPrefix).size());
    std::unique_ptr<sim::Chip> chip;
    try {
      chip = sim::Chip::open(state);
    } catch (const sim::StateError& e) {
      throw ConfigError("device ftdi:" + spec.target + ": " + e.what());
    }
    usb = std::make_unique<ModelFtdiUsb>(
        std::make_unique<sim::MpsseModel>(std::move(chip), spec.cs_pin));
  } else {
    try {
      usb = make_libftdi_usb();
    } catch (const ConfigError& e) {
      throw ConfigError("device ftdi:" + spec.target + ": " + e.what());
    }
  }
  return std::make_unique<SpiLink>(
      std::make_unique<FtdiMpsseBus>(std::move(usb), std::move(config)),
      SpiLinkOptions::for_clock(spec.spi_clock_hz));
}

}  // namespace maxq::transport
