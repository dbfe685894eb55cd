// MAXQ1061-TRNG: the chip's true random number generator as an OpenSSL RAND.
// Two uses:
//  - seed source of OpenSSL's DRBGs ([random] seed = MAXQ1061-TRNG): the
//    primary DRBG calls get_seed/clear_seed for its entropy;
//  - a RAND of its own (EVP_RAND_fetch(..., "MAXQ1061-TRNG", ...) or
//    [random] random = MAXQ1061-TRNG): every byte comes from a chip command.
// It is deliberately not named CTR-DRBG: the chip feeds OpenSSL's DRBGs, it
// does not impersonate one. The context holds no secret state; bytes pass
// through a wiped buffer on their way out.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "provider/algorithms.h"
#include "provider/provider_context.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_rand_newctx_fn trng_newctx;
OSSL_FUNC_rand_freectx_fn trng_freectx;
OSSL_FUNC_rand_instantiate_fn trng_instantiate;
OSSL_FUNC_rand_uninstantiate_fn trng_uninstantiate;
OSSL_FUNC_rand_generate_fn trng_generate;
OSSL_FUNC_rand_reseed_fn trng_reseed;
OSSL_FUNC_rand_get_seed_fn trng_get_seed;
OSSL_FUNC_rand_clear_seed_fn trng_clear_seed;
OSSL_FUNC_rand_enable_locking_fn trng_enable_locking;
OSSL_FUNC_rand_lock_fn trng_lock;
OSSL_FUNC_rand_unlock_fn trng_unlock;
OSSL_FUNC_rand_gettable_ctx_params_fn trng_gettable_ctx_params;
OSSL_FUNC_rand_get_ctx_params_fn trng_get_ctx_params;
OSSL_FUNC_rand_verify_zeroization_fn trng_verify_zeroization;

// The chip's TRNG is taken as a full-entropy source (one bit per bit), like
// OpenSSL's own SEED-SRC, so it can seed a 256-bit DRBG.
constexpr unsigned kStrength = 256;
// Largest request in one generate call (EVP_RAND splits bigger ones); it is
// served by several get random commands of at most 1024 bytes.
constexpr size_t kMaxRequest = 1 << 16;

struct TrngContext {
  explicit TrngContext(ProviderContext* c) : ctx(c) {}
  ProviderContext* ctx;
  int state = EVP_RAND_STATE_UNINITIALISED;
  // Made by enable_locking, before OpenSSL shares the context between threads.
  std::unique_ptr<std::mutex> mutex;
};

TrngContext* trng(void* vctx) {
  return static_cast<TrngContext*>(vctx);
}

// Fills `out` with chip random bytes, one get random command per 1024 bytes.
// On failure `out` is wiped and the error is on the queue.
bool fill_from_chip(TrngContext* t, unsigned char* out, size_t n) {
  bool ok = guarded(t->ctx, false, [&] {
    transport::Device& device = t->ctx->device();
    for (size_t done = 0; done < n;) {
      size_t chunk = std::min(n - done, wire::kMaxRandomPerCommand);
      Bytes r = device.random(chunk);
      if (r.size() != chunk) {
        secure_zero(r.data(), r.size());
        throw transport::ProtocolError("the MAXQ1061 returned " + std::to_string(r.size()) +
                                       " random bytes for a request of " + std::to_string(chunk));
      }
      std::memcpy(out + done, r.data(), chunk);
      secure_zero(r.data(), r.size());
      done += chunk;
    }
    return true;
  });
  if (!ok) OPENSSL_cleanse(out, n);
  return ok;
}

bool check_ready(TrngContext* t) {
  if (t->state == EVP_RAND_STATE_READY) return true;
  raise_error(t->ctx, kReasonInvalidArgument,
              "MAXQ1061-TRNG used before it was instantiated (EVP_RAND_instantiate)");
  return false;
}

bool check_strength(TrngContext* t, unsigned int strength) {
  if (strength <= kStrength) return true;
  raise_error(t->ctx, kReasonInvalidArgument,
              "requested strength of %u bits exceeds the MAXQ1061 TRNG's %u bits", strength,
              kStrength);
  return false;
}

// The parent is accepted (OpenSSL may chain any RAND to one) but not used:
// the chip needs no seed.
void* trng_newctx(void* provctx, void* /*parent*/, const OSSL_DISPATCH* /*parent_calls*/) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  return guarded(ctx, static_cast<void*>(nullptr),
                 [&] { return static_cast<void*>(std::make_unique<TrngContext>(ctx).release()); });
}

void trng_freectx(void* vctx) {
  std::unique_ptr<TrngContext> owned(trng(vctx));
}

int trng_instantiate(void* vctx, unsigned int strength, int /*prediction_resistance*/,
                     const unsigned char* /*pstr*/, size_t /*pstr_len*/, const OSSL_PARAM[]) {
  TrngContext* t = trng(vctx);
  if (!check_strength(t, strength)) return 0;
  t->state = EVP_RAND_STATE_READY;
  return 1;
}

int trng_uninstantiate(void* vctx) {
  trng(vctx)->state = EVP_RAND_STATE_UNINITIALISED;
  return 1;
}

// Every request is fresh chip entropy, so prediction resistance is always met;
// additional input has nothing to be mixed into and is ignored.
int trng_generate(void* vctx, unsigned char* out, size_t outlen, unsigned int strength,
                  int /*prediction_resistance*/, const unsigned char* /*adin*/,
                  size_t /*adin_len*/) {
  TrngContext* t = trng(vctx);
  if (!check_ready(t) || !check_strength(t, strength)) return 0;
  if (outlen > kMaxRequest) {
    raise_error(t->ctx, kReasonInvalidArgument,
                "request of %zu bytes exceeds MAXQ1061-TRNG's maximum of %zu per call", outlen,
                kMaxRequest);
    return 0;
  }
  return fill_from_chip(t, out, outlen) ? 1 : 0;
}

// Nothing to reseed: there is no internal state.
int trng_reseed(void* vctx, int, const unsigned char*, size_t, const unsigned char*, size_t) {
  return check_ready(trng(vctx)) ? 1 : 0;
}

// Entropy for a DRBG: `entropy` bits at full entropy per byte, at least
// min_len and at most max_len bytes, in secure memory freed by clear_seed.
size_t trng_get_seed(void* vctx, unsigned char** pout, int entropy, size_t min_len, size_t max_len,
                     int /*prediction_resistance*/, const unsigned char* /*adin*/,
                     size_t /*adin_len*/) {
  TrngContext* t = trng(vctx);
  if (pout == nullptr || !check_ready(t)) return 0;
  *pout = nullptr;
  size_t n = entropy > 0 ? (static_cast<size_t>(entropy) + 7) / 8 : 0;
  n = std::max(n, min_len);
  if (n == 0 || n > max_len || n > kMaxRequest) {
    raise_error(t->ctx, kReasonInvalidArgument,
                "seed request out of range: %d bits of entropy in %zu..%zu bytes", entropy, min_len,
                max_len);
    return 0;
  }
  auto* buf = static_cast<unsigned char*>(OPENSSL_secure_malloc(n));
  if (buf == nullptr) {
    raise_error(t->ctx, kReasonInternal, "out of secure memory for a %zu-byte seed", n);
    return 0;
  }
  if (!fill_from_chip(t, buf, n)) {
    OPENSSL_secure_clear_free(buf, n);
    return 0;
  }
  *pout = buf;
  return n;
}

void trng_clear_seed(void* /*vctx*/, unsigned char* out, size_t outlen) {
  OPENSSL_secure_clear_free(out, outlen);
}

int trng_enable_locking(void* vctx) {
  TrngContext* t = trng(vctx);
  return guarded(t->ctx, 0, [&] {
    if (!t->mutex) t->mutex = std::make_unique<std::mutex>();
    return 1;
  });
}

int trng_lock(void* vctx) {
  TrngContext* t = trng(vctx);
  if (t->mutex) t->mutex->lock();
  return 1;
}

void trng_unlock(void* vctx) {
  TrngContext* t = trng(vctx);
  if (t->mutex) t->mutex->unlock();
}

const OSSL_PARAM* trng_gettable_ctx_params(void* /*vctx*/, void* /*provctx*/) {
  static const OSSL_PARAM gettable[] = {
      OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
      OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
      OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
      OSSL_PARAM_END,
  };
  return gettable;
}

int trng_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  TrngContext* t = trng(vctx);
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE)) != nullptr &&
      !OSSL_PARAM_set_int(p, t->state))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH)) != nullptr &&
      !OSSL_PARAM_set_uint(p, kStrength))
    return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST)) != nullptr &&
      !OSSL_PARAM_set_size_t(p, kMaxRequest))
    return 0;
  return 1;
}

// No secret is kept between calls (each buffer is wiped before it is freed).
int trng_verify_zeroization(void* /*vctx*/) {
  return 1;
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH trng_rand_functions[] = {
    FN(OSSL_FUNC_RAND_NEWCTX, trng_newctx),
    FN(OSSL_FUNC_RAND_FREECTX, trng_freectx),
    FN(OSSL_FUNC_RAND_INSTANTIATE, trng_instantiate),
    FN(OSSL_FUNC_RAND_UNINSTANTIATE, trng_uninstantiate),
    FN(OSSL_FUNC_RAND_GENERATE, trng_generate),
    FN(OSSL_FUNC_RAND_RESEED, trng_reseed),
    FN(OSSL_FUNC_RAND_GET_SEED, trng_get_seed),
    FN(OSSL_FUNC_RAND_CLEAR_SEED, trng_clear_seed),
    FN(OSSL_FUNC_RAND_ENABLE_LOCKING, trng_enable_locking),
    FN(OSSL_FUNC_RAND_LOCK, trng_lock),
    FN(OSSL_FUNC_RAND_UNLOCK, trng_unlock),
    FN(OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, trng_gettable_ctx_params),
    FN(OSSL_FUNC_RAND_GET_CTX_PARAMS, trng_get_ctx_params),
    FN(OSSL_FUNC_RAND_VERIFY_ZEROIZATION, trng_verify_zeroization),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
