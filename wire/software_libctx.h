// The process's library context for software crypto: OpenSSL's default
// provider only, never the application's context, so nothing fetched there can
// reach the maxq1061 provider (or call back into it). Shared by every layer
// of the host side that needs software crypto (the provider's public-key work,
// the host's signature checks, the admin and key-import credentials,
// maxq1061-tool's PEM and certificate work): each new library context pays
// again for its name map and method stores, about 2.5 M instructions (issue
// 16). The
// simulated chip keeps a context of its own (simulator/sim_crypto.h), as a
// separate device would.
#pragma once

#include <openssl/types.h>

#include <memory>

namespace maxq::ossl {

using SharedLibCtx = std::shared_ptr<OSSL_LIB_CTX>;

// Made at the first call; lives while a holder keeps it, then the default
// provider is unloaded and the context freed (the next call makes a new one).
// Thread-safe; a context made before a fork() is the child's too (its DRBGs
// reseed after a fork by themselves). Throws std::runtime_error when OpenSSL
// cannot make it.
SharedLibCtx software_libctx();

}  // namespace maxq::ossl
