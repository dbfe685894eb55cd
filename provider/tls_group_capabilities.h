// TLS-GROUP capabilities: the curves libssl may use for ECDHE with this
// provider's EC key manager and ECDH (the chip's P-256 and P-384).
#pragma once

#include <openssl/core.h>

namespace maxq::provider {

// OSSL_FUNC_PROVIDER_GET_CAPABILITIES for "TLS-GROUP"; other capabilities: 0.
int tls_group_capabilities(const char* capability, OSSL_CALLBACK* cb, void* arg);

}  // namespace maxq::provider
