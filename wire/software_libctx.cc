#include "wire/software_libctx.h"

#include <openssl/crypto.h>
#include <openssl/provider.h>

#include <mutex>
#include <stdexcept>

namespace maxq::ossl {

SharedLibCtx software_libctx() {
  // Function-local: nothing runs when the module is loaded.
  static std::mutex mutex;
  static std::weak_ptr<OSSL_LIB_CTX> current;
  std::lock_guard<std::mutex> lock(mutex);
  if (SharedLibCtx ctx = current.lock()) return ctx;
  OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
  OSSL_PROVIDER* provider = ctx != nullptr ? OSSL_PROVIDER_load(ctx, "default") : nullptr;
  if (provider == nullptr) {
    OSSL_LIB_CTX_free(ctx);
    throw std::runtime_error("cannot load OpenSSL's default provider into a library context");
  }
  SharedLibCtx shared(ctx, [provider](OSSL_LIB_CTX* c) {
    OSSL_PROVIDER_unload(provider);
    OSSL_LIB_CTX_free(c);
  });
  current = shared;
  return shared;
}

}  // namespace maxq::ossl
