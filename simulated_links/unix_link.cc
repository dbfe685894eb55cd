// unix:SOCKET: a SpiLink over the socket of a `maxq1061-sim` daemon.
#include "simulated_links/unix_link.h"

#include "simulated_links/unix_socket_bus.h"
#include "transport/spi_link.h"

namespace maxq::transport {

std::unique_ptr<Link> open_unix_link(const DeviceSpec& spec) {
  // The daemon's bus clock is its own: poll for 2 s at the fastest clock it
  // may run (30 MHz), enough at any clock.
  SpiLinkOptions options;
  options.poll_budget = SpiLinkOptions::for_clock(30000000).poll_budget;
  return std::make_unique<SpiLink>(std::make_unique<UnixSocketBus>(spec.target), options);
}

}  // namespace maxq::transport
