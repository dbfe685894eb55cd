// TLS-GROUP capabilities: the curves libssl may use for ECDHE with this provider.
#pragma once

#include <openssl/core.h>

namespace maxq::provider {

int tls_group_capabilities(const char* capability, OSSL_CALLBACK* cb, void* arg);

}  // namespace maxq::provider
