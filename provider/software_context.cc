#include "provider/software_context.h"

#include <stdexcept>

namespace maxq::provider {

SoftwareContext::SoftwareContext() {
  // Software key work runs in a private library context with only the default
  // provider, not in a child of the application's context whose default
  // properties exclude this provider (OSSL_LIB_CTX_new_child):
  //  - a child sees only the providers the application loaded, and
  //    `openssl genpkey -provider maxq1061 -provider base` loads none with EC
  //    key management, SHA-2 or ECDSA verification;
  //  - with OpenSSL 3.0.19 the provider can outlive the application's context
  //    (an EVP_PKEY caches its export to our key manager), and freeing a child
  //    context at teardown then dereferences the freed parent and crashes;
  //  - a private context cannot call back into this provider by construction;
  //  - one context serves the whole host side of the process
  //    (wire/software_libctx.h): the Device's signature checks and the admin
  //    and key-import credentials use it too; only a simulated chip keeps a
  //    context of its own (simulator/sim_crypto.h), as a separate device would.
  libctx_ = ossl::software_libctx();
  curve_groups_ = std::make_unique<CurveGroups>(libctx_.get());
}

SoftwareContext& LazySoftwareContext::get() {
  SoftwareContext* current = made_.load(std::memory_order_acquire);
  if (current != nullptr) return *current;
  auto fresh = std::make_unique<SoftwareContext>();
  if (made_.compare_exchange_strong(current, fresh.get(), std::memory_order_acq_rel,
                                    std::memory_order_acquire))
    return *fresh.release();
  return *current;  // another thread published one first: `fresh` is freed
}

}  // namespace maxq::provider
