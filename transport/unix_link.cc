// unix:SOCKET: a SpiLink over the socket of a `maxq1061-sim` daemon.
#include "transport/unix_link.h"

#include "transport/spi_link.h"
#include "transport/unix_socket_bus.h"

namespace maxq::transport {

std::unique_ptr<Link> open_unix_link(const DeviceSpec& spec) {
  return std::make_unique<SpiLink>(std::make_unique<UnixSocketBus>(spec.target));
}

}  // namespace maxq::transport
