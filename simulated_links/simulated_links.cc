#include "simulated_links/simulated_links.h"

#include <memory>
#include <utility>

#include "simulated_links/ftdi_model_usb.h"
#include "simulated_links/sim_bus.h"
#include "simulated_links/sim_link_options.h"
#include "simulated_links/unix_link.h"
#include "simulator/chip.h"
#include "simulator/mpsse_model.h"
#include "simulator/state_error.h"
#include "transport/errors.h"
#include "transport/ftdi_link.h"
#include "transport/spi_link.h"
#include "wire/bytes.h"

namespace maxq::simulated_links {
namespace {

using transport::ConfigError;
using transport::DeviceSpec;
using transport::LinkScheme;

constexpr const char* kModelScheme = "ftdi:model";

// Opens the chip of `state`; an unusable state file is the transport's ConfigError.
std::unique_ptr<sim::Chip> open_chip(const std::string& device, const std::string& state) {
  try {
    return sim::Chip::open(state);
  } catch (const sim::StateError& e) {
    throw ConfigError("device " + device + ": " + e.what());
  }
}

std::unique_ptr<transport::Link> open_sim_link(const DeviceSpec& spec) {
  SimLinkOptions o = SimLinkOptions::from_spec(spec);
  std::unique_ptr<sim::Chip> chip;
  try {
    chip = sim::Chip::open(spec.target);
  } catch (const sim::StateError& e) {
    throw ConfigError(e.what());  // names the file and `maxq1061-tool init`
  }
  transport::SpiLinkOptions options;
  if (o.modelled) {
    chip->enable_latency_model({o.spi_clock_hz, o.chip_times});
    // Polling sized in time at the modelled clock, as on a real bus.
    options = transport::SpiLinkOptions::for_clock(o.spi_clock_hz);
  }
  return std::make_unique<transport::SpiLink>(std::make_unique<transport::SimBus>(std::move(chip)),
                                              options);
}

std::unique_ptr<transport::Link> open_model_link(const DeviceSpec& spec) {
  transport::FtdiBusConfig config = transport::FtdiBusConfig::from_spec(spec);
  config.description = "model:" + spec.target;
  auto usb = std::make_unique<transport::ModelFtdiUsb>(std::make_unique<sim::MpsseModel>(
      open_chip("ftdi:" + config.description, spec.target), config.cs_pin));
  return transport::open_mpsse_link(std::move(usb), std::move(config));
}

std::string in_state_file(const std::string& path) {
  return "its private keys are in the state file " + path + ", not in a secure element";
}

LinkScheme sim_scheme() {
  LinkScheme s;
  s.name = "sim";
  s.usage =
      "sim:PATH[,latency=off|modelled][,spi-clock-hz=N][,sign-ms=T...] (simulated chip; PATH "
      "without commas)";
  s.comma_note = " (a sim state path cannot contain ',')";
  s.simulated_note = [](const DeviceSpec& spec) {
    return "SIMULATED chip: " + in_state_file(spec.target);
  };
  s.canonical = [](const DeviceSpec& spec) {
    return "sim:" + spec.target + SimLinkOptions::from_spec(spec).options_text();
  };
  s.open = open_sim_link;
  return s;
}

LinkScheme unix_scheme() {
  LinkScheme s;
  s.name = "unix";
  s.usage = "unix:PATH (simulator daemon)";
  s.takes_options = false;  // the socket path may hold commas
  s.simulated_note = [](const DeviceSpec& spec) {
    return "SIMULATED chip served by maxq1061-sim at " + spec.target +
           ": its private keys are in the daemon's state file, not in a secure element";
  };
  s.open = transport::open_unix_link;
  return s;
}

LinkScheme model_scheme() {
  LinkScheme s;
  s.name = kModelScheme;  // listed under ftdi: (ftdi:model:PATH)
  s.target_word = "path";
  s.simulated_note = [](const DeviceSpec& spec) {
    return "SIMULATED chip behind an in-memory FT232H: " + in_state_file(spec.target);
  };
  s.canonical = [](const DeviceSpec& spec) {
    return "ftdi:model:" + spec.target + transport::FtdiBusConfig::from_spec(spec).options_text();
  };
  s.open = open_model_link;
  return s;
}

}  // namespace

void add_simulated_links(transport::LinkRegistry& registry) {
  registry.add(sim_scheme());
  registry.add(unix_scheme());
  registry.add(model_scheme());
}

transport::LinkRegistry all_links() {
  transport::LinkRegistry registry = transport::builtin_links();
  add_simulated_links(registry);
  return registry;
}

std::optional<sim::CounterSnapshot> read_counters(const DeviceSpec& spec) {
  if (spec.scheme != "sim" && spec.scheme != kModelScheme) return std::nullopt;
  return sim::Counters::read_file(spec.target + ".counters");
}

ProvisionedChip provision(const DeviceSpec& spec, const std::string& admin_key_out,
                          const std::string& key_import_key_out) {
  if (spec.scheme != "sim")
    throw ConfigError("device '" + spec.text + "': only a sim:PATH device can be provisioned");
  try {
    sim::ProvisionResult r = sim::Chip::provision(spec.target, admin_key_out, key_import_key_out);
    return {to_hex(ByteView(r.serial)), r.admin_key_path, r.key_import_key_path};
  } catch (const sim::StateError& e) {
    throw ConfigError(e.what());
  }
}

}  // namespace maxq::simulated_links
