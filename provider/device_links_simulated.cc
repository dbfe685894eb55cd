// maxq1061.so built with -DMAXQ1061_WITH_SIMULATOR=ON: the hardware links and
// the simulated chips.
#include "provider/device_links.h"
#include "simulated_links/simulated_links.h"

namespace maxq::provider {

transport::LinkRegistry device_links() {
  return simulated_links::all_links();
}

}  // namespace maxq::provider
