// MAXQ1061-TRNG: the chip's TRNG as an OpenSSL RAND, usable directly and as the
// seed source of OpenSSL's DRBGs ([random] seed = MAXQ1061-TRNG).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstring>
#include <mutex>

#include "provider/algorithms.h"
#include "provider/provider_context.h"
#include "provider/provider_errors.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_rand_newctx_fn rng_newctx;
OSSL_FUNC_rand_freectx_fn rng_freectx;
OSSL_FUNC_rand_instantiate_fn rng_instantiate;
OSSL_FUNC_rand_uninstantiate_fn rng_uninstantiate;
OSSL_FUNC_rand_generate_fn rng_generate;
OSSL_FUNC_rand_reseed_fn rng_reseed;
OSSL_FUNC_rand_get_seed_fn rng_get_seed;
OSSL_FUNC_rand_clear_seed_fn rng_clear_seed;
OSSL_FUNC_rand_enable_locking_fn rng_enable_locking;
OSSL_FUNC_rand_lock_fn rng_lock;
OSSL_FUNC_rand_unlock_fn rng_unlock;
OSSL_FUNC_rand_gettable_ctx_params_fn rng_gettable_ctx_params;
OSSL_FUNC_rand_get_ctx_params_fn rng_get_ctx_params;
OSSL_FUNC_rand_verify_zeroization_fn rng_verify_zeroization;

constexpr unsigned kStrength = 256;
constexpr size_t kMaxRequest = 1 << 16;

struct Trng {
  ProviderContext* ctx;
  int state = EVP_RAND_STATE_UNINITIALISED;
  std::unique_ptr<std::mutex> lock;  // only when OpenSSL asks for locking
};

void* rng_newctx(void* provctx, void*, const OSSL_DISPATCH*) {
  auto t = std::make_unique<Trng>();
  t->ctx = static_cast<ProviderContext*>(provctx);
  return t.release();
}

void rng_freectx(void* vctx) { std::unique_ptr<Trng>(static_cast<Trng*>(vctx)); }

int rng_instantiate(void* vctx, unsigned int, int, const unsigned char*, size_t, const OSSL_PARAM[]) {
  static_cast<Trng*>(vctx)->state = EVP_RAND_STATE_READY;
  return 1;
}

int rng_uninstantiate(void* vctx) {
  static_cast<Trng*>(vctx)->state = EVP_RAND_STATE_UNINITIALISED;
  return 1;
}

bool fill(Trng* t, unsigned char* out, size_t n) {
  try {
    Bytes r = t->ctx->device().random(n);
    std::memcpy(out, r.data(), n);
    secure_zero(r.data(), r.size());
    return true;
  } catch (const std::exception& e) {
    t->state = EVP_RAND_STATE_ERROR;
    raise_exception(t->ctx, e);
    return false;
  }
}

int rng_generate(void* vctx, unsigned char* out, size_t outlen, unsigned int strength, int,
                 const unsigned char*, size_t) {
  auto* t = static_cast<Trng*>(vctx);
  if (strength > kStrength) {
    raise_error(t->ctx, kReasonInvalidArgument, "requested strength %u exceeds the TRNG's %u bits",
                strength, kStrength);
    return 0;
  }
  return fill(t, out, outlen) ? 1 : 0;
}

int rng_reseed(void*, int, const unsigned char*, size_t, const unsigned char*, size_t) { return 1; }

size_t rng_get_seed(void* vctx, unsigned char** pout, int entropy, size_t min_len, size_t max_len,
                    int, const unsigned char*, size_t) {
  auto* t = static_cast<Trng*>(vctx);
  // Full entropy per byte from the TRNG: entropy bits / 8, within [min, max].
  size_t n = std::max(min_len, (static_cast<size_t>(entropy) + 7) / 8);
  if (n > max_len) {
    raise_error(t->ctx, kReasonInvalidArgument, "seed request out of range");
    return 0;
  }
  auto* buf = static_cast<unsigned char*>(OPENSSL_secure_malloc(n));
  if (!buf) return 0;
  if (!fill(t, buf, n)) {
    OPENSSL_secure_clear_free(buf, n);
    return 0;
  }
  *pout = buf;
  return n;
}

void rng_clear_seed(void*, unsigned char* out, size_t outlen) { OPENSSL_secure_clear_free(out, outlen); }

int rng_enable_locking(void* vctx) {
  auto* t = static_cast<Trng*>(vctx);
  if (!t->lock) t->lock = std::make_unique<std::mutex>();
  return 1;
}

int rng_lock(void* vctx) {
  auto* t = static_cast<Trng*>(vctx);
  if (t->lock) t->lock->lock();
  return 1;
}

void rng_unlock(void* vctx) {
  auto* t = static_cast<Trng*>(vctx);
  if (t->lock) t->lock->unlock();
}

const OSSL_PARAM* rng_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM p[] = {
      OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
      OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
      OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
      OSSL_PARAM_END,
  };
  return p;
}

int rng_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  auto* t = static_cast<Trng*>(vctx);
  OSSL_PARAM* p;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE)) && !OSSL_PARAM_set_int(p, t->state)) return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH)) && !OSSL_PARAM_set_uint(p, kStrength)) return 0;
  if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST)) && !OSSL_PARAM_set_size_t(p, kMaxRequest))
    return 0;
  return 1;
}

int rng_verify_zeroization(void*) { return 1; }  // holds no secret state

}  // namespace

#define FN(id, f) {id, reinterpret_cast<void (*)(void)>(f)}
const OSSL_DISPATCH trng_rand_functions[] = {
    FN(OSSL_FUNC_RAND_NEWCTX, rng_newctx),
    FN(OSSL_FUNC_RAND_FREECTX, rng_freectx),
    FN(OSSL_FUNC_RAND_INSTANTIATE, rng_instantiate),
    FN(OSSL_FUNC_RAND_UNINSTANTIATE, rng_uninstantiate),
    FN(OSSL_FUNC_RAND_GENERATE, rng_generate),
    FN(OSSL_FUNC_RAND_RESEED, rng_reseed),
    FN(OSSL_FUNC_RAND_GET_SEED, rng_get_seed),
    FN(OSSL_FUNC_RAND_CLEAR_SEED, rng_clear_seed),
    FN(OSSL_FUNC_RAND_ENABLE_LOCKING, rng_enable_locking),
    FN(OSSL_FUNC_RAND_LOCK, rng_lock),
    FN(OSSL_FUNC_RAND_UNLOCK, rng_unlock),
    FN(OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, rng_gettable_ctx_params),
    FN(OSSL_FUNC_RAND_GET_CTX_PARAMS, rng_get_ctx_params),
    FN(OSSL_FUNC_RAND_VERIFY_ZEROIZATION, rng_verify_zeroization),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
