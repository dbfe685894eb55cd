// TLS-GROUP capabilities: the groups libssl may use for ECDHE with this
// provider's EC key manager and ECDH.
//
// libssl keeps the TLS groups of an algorithm ("EC") only from the provider
// its key-manager fetch returns; once that is this provider (profile B's
// `?provider=maxq1061`, or this provider loaded first), the default
// provider's EC groups are dropped. So every name the default provider
// registers for a curve this provider handles is registered here too, the
// same entries (secp256r1 and its alias P-256, ...): a `Groups = P-256`
// setting keeps working when the provider is loaded.
//
// Each is registered with an internal name of this provider's,
// kTlsKeyShareGroupPrefix + the curve ("maxq1061-keyshare-prime256v1"):
// libssl passes it as the group of the key shares it generates, which is how
// key generation (ec_keygen.cc) tells a TLS key share, made in a temporary
// slot of the chip, from any other key asked for without an object id (a
// software key: `openssl genpkey -algorithm EC` under profile B).
#pragma once

#include <openssl/core.h>
#include <openssl/types.h>

namespace maxq::provider {

constexpr const char* kTlsKeyShareGroupPrefix = "maxq1061-keyshare-";

// OSSL_FUNC_provider_get_capabilities for "TLS-GROUP" (other capabilities: 0):
// the default provider's TLS groups of `software_libctx` whose internal name
// is one of the chip's curves, with the key-share internal name, plus that
// curve name as one more alias where the default provider has no group of
// that name.
int tls_group_capabilities(OSSL_LIB_CTX* software_libctx, const char* capability, OSSL_CALLBACK* cb,
                           void* arg);

}  // namespace maxq::provider
