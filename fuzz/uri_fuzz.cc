// maxq1061: URIs (OSSL_STORE names, untrusted when a program passes on a
// name it was given). A URI that parses formats to one that parses the same.
#include <cstdlib>
#include <string>

#include "provider/maxq_uri.h"

using namespace maxq::provider;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto uri = parse_maxq_uri(text, error);
  if (!uri) {
    if (error.empty()) std::abort();  // a refusal always says why
    return 0;
  }
  std::string again_error;
  auto again = parse_maxq_uri(format_maxq_uri(*uri), again_error);
  if (!again || again->id != uri->id || again->type != uri->type) std::abort();
  return 0;
}
