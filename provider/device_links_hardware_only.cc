// maxq1061.so built with -DMAXQ1061_WITH_SIMULATOR=OFF: the hardware links
// only. The simulated chips' device strings are known by name so that they
// are refused with a reason, not as an unknown link type; no simulator code
// is linked (a test checks the module's symbol table).
#include "provider/device_links.h"

namespace maxq::provider {

transport::LinkRegistry device_links() {
  transport::LinkRegistry links = transport::builtin_links();
  for (const char* name : {"sim", "unix", "ftdi:model"}) {
    transport::LinkScheme refused;
    refused.name = name;
    refused.refusal = std::string(
                          "this maxq1061 provider was built without the simulator "
                          "(-DMAXQ1061_WITH_SIMULATOR=OFF), so it cannot open a "
                          "simulated chip (") +
                      name +
                      ":). Use ftdi:DESC for a MAXQ1061 on an FTDI bridge or broker:PATH for "
                      "maxq1061d (which may serve a simulated chip), or a provider built with "
                      "-DMAXQ1061_WITH_SIMULATOR=ON";
    links.add(std::move(refused));
  }
  return links;
}

}  // namespace maxq::provider
