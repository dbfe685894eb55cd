// The simulated chips as link plug-ins of the transport's LinkRegistry:
//
//   sim:PATH[,latency=...]  the simulator in this process (sim_link_options.h)
//   unix:PATH               a maxq1061-sim daemon on the unix socket PATH (raw
//                           SPI over the socket, simulator/spi_socket_protocol.h)
//   ftdi:model:PATH[,spi-clock-hz=N][,cs-pin=N]
//                           the whole ftdi link, MPSSE bytes and all, against
//                           the in-memory FT232H wired to the chip in PATH
//
// The tests, the benchmark, maxq1061-tool and the daemons link this library
// (maxq_simulated_links); the provider module only when built with
// -DMAXQ1061_WITH_SIMULATOR=ON. Simulator errors never leave it as simulator
// types: an unusable state file is a transport::ConfigError when the link is
// opened and a transport::LinkError afterwards.
#pragma once

#include <optional>
#include <string>

#include "simulator/counters.h"
#include "transport/device_spec.h"
#include "transport/link_registry.h"

namespace maxq::simulated_links {

// Adds sim:, unix: and ftdi:model: to `registry`.
void add_simulated_links(transport::LinkRegistry& registry);
// The built-in links and the simulated ones: what a test, the tool or a daemon uses.
transport::LinkRegistry all_links();

// The command and byte counters of the simulated chip behind `spec`, read
// from the file beside its state file; nullopt for a device whose state file
// this process does not know (hardware, broker:, unix:).
std::optional<sim::CounterSnapshot> read_counters(const transport::DeviceSpec& spec);

struct ProvisionedChip {
  std::string serial_hex;
  std::string admin_key_path, key_import_key_path;
};
// Makes a new simulated chip for a sim: device (maxq1061-tool init): its state
// file and the private halves of its two credentials. Throws ConfigError for
// another kind of device or when a file exists or cannot be written (nothing
// existing is touched).
ProvisionedChip provision(const transport::DeviceSpec& spec, const std::string& admin_key_out,
                          const std::string& key_import_key_out);

}  // namespace maxq::simulated_links
