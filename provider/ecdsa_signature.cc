// ECDSA: messages are hashed in software, the digest is signed on the chip (one
// chip command per signature) and the chip's raw r || s is returned as DER.
// Verification is public-key work and stays in software. Size queries and
// every *_init are answered from the key's cache, without device I/O.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <initializer_list>
#include <iterator>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/provider_errors.h"
#include "transport/errors.h"
#include "wire/ec_codec.h"
#include "wire/openssl_handles.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_signature_newctx_fn sig_newctx;
OSSL_FUNC_signature_freectx_fn sig_freectx;
OSSL_FUNC_signature_dupctx_fn sig_dupctx;
OSSL_FUNC_signature_sign_init_fn sig_sign_init;
OSSL_FUNC_signature_sign_fn sig_sign;
OSSL_FUNC_signature_verify_init_fn sig_verify_init;
OSSL_FUNC_signature_verify_fn sig_verify;
OSSL_FUNC_signature_digest_sign_init_fn sig_digest_sign_init;
OSSL_FUNC_signature_digest_sign_update_fn sig_digest_update;
OSSL_FUNC_signature_digest_sign_final_fn sig_digest_sign_final;
OSSL_FUNC_signature_digest_verify_init_fn sig_digest_verify_init;
OSSL_FUNC_signature_digest_verify_update_fn sig_digest_update;
OSSL_FUNC_signature_digest_verify_final_fn sig_digest_verify_final;
OSSL_FUNC_signature_get_ctx_params_fn sig_get_ctx_params;
OSSL_FUNC_signature_gettable_ctx_params_fn sig_gettable_ctx_params;
OSSL_FUNC_signature_set_ctx_params_fn sig_set_ctx_params;
OSSL_FUNC_signature_settable_ctx_params_fn sig_settable_ctx_params;

struct SignatureContext {
  explicit SignatureContext(ProviderContext* c) : ctx(c) {}
  ProviderContext* ctx;
  EcKey* key = nullptr;  // owned by the EVP_PKEY, which outlives this context
  ossl::MdPtr md;
  ossl::MdCtxPtr mdctx;  // running digest of digest_sign/verify
};

// The digests OpenSSL's own ECDSA takes (the default provider's list: SHA-1,
// SHA-2, SHA-3; no XOF, no MD5), with the DER AlgorithmIdentifier of the
// signature algorithm where one is defined: ecdsa-with-SHA1
// (1.2.840.10045.4.1), ecdsa-with-SHA224..512 (1.2.840.10045.4.3.1..4, RFC
// 5758) and id-ecdsa-with-sha3-224..512 (2.16.840.1.101.3.4.3.9..12), without
// parameters. SHA-512/224 and SHA-512/256 have none (as in OpenSSL).
// The chip signs whatever digest it is given; the transport fits it to the
// curve's order as ECDSA's bits2int does (leftmost bits), as software does.
struct DigestInfo {
  const char* name;
  Bytes algorithm_id;  // empty: no signature OID for this digest
};

// Each built with one allocation of its final size (and no insert into a
// vector just made from a list, which g++ 12 misreads under -Warray-bounds).
Bytes ecdsa_x962(std::initializer_list<uint8_t> arcs) {
  static constexpr uint8_t kPrefix[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04};
  Bytes oid(sizeof kPrefix + arcs.size());
  std::copy(arcs.begin(), arcs.end(),
            std::copy(std::begin(kPrefix), std::end(kPrefix), oid.begin()));
  return oid;
}
Bytes ecdsa_sha3(uint8_t arc) {
  return {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, arc};
}
Bytes sequence_of_oid(const Bytes& oid) {
  Bytes der(4 + oid.size());
  der[0] = 0x30;
  der[1] = static_cast<uint8_t>(oid.size() + 2);
  der[2] = 0x06;
  der[3] = static_cast<uint8_t>(oid.size());
  std::copy(oid.begin(), oid.end(), der.begin() + 4);
  return der;
}

const std::vector<DigestInfo>& digests() {
  static const std::vector<DigestInfo> table = {
      {"SHA1", sequence_of_oid(ecdsa_x962({0x01}))},
      {"SHA2-224", sequence_of_oid(ecdsa_x962({0x03, 0x01}))},
      {"SHA2-256", sequence_of_oid(ecdsa_x962({0x03, 0x02}))},
      {"SHA2-384", sequence_of_oid(ecdsa_x962({0x03, 0x03}))},
      {"SHA2-512", sequence_of_oid(ecdsa_x962({0x03, 0x04}))},
      {"SHA2-512/224", {}},
      {"SHA2-512/256", {}},
      {"SHA3-224", sequence_of_oid(ecdsa_sha3(0x09))},
      {"SHA3-256", sequence_of_oid(ecdsa_sha3(0x0A))},
      {"SHA3-384", sequence_of_oid(ecdsa_sha3(0x0B))},
      {"SHA3-512", sequence_of_oid(ecdsa_sha3(0x0C))},
  };
  return table;
}

const DigestInfo* digest_info(const EVP_MD* md) {
  for (const DigestInfo& d : digests())
    if (EVP_MD_is_a(md, d.name)) return &d;
  return nullptr;
}

// The digest from the application's library context, as OpenSSL's own ECDSA
// takes it: no second context for a one-shot `openssl dgst -sign` to build
// (issue 16), and the application's default properties apply. From the
// software context when the application's gives none (its default properties
// name only this provider, which has no digests), except under fips=yes: the
// software context has no FIPS provider, and a FIPS application gets an
// error, not a digest from outside its module.
ossl::MdPtr fetch_digest(ProviderContext& ctx, const char* name, const char* propq) {
  if (std::optional<OSSL_LIB_CTX*> app = ctx.application_libctx()) {
    ossl::ErrorQueueMark mark;
    ossl::MdPtr md(EVP_MD_fetch(*app, name, propq));
    if (md) return md;
    if (EVP_default_properties_is_fips_enabled(*app) == 1) {
      mark.keep();  // a FIPS application's reason stays on the queue
      return md;
    }
  }
  return ossl::MdPtr(EVP_MD_fetch(ctx.software_libctx(), name, propq));
}

// `propq`: OSSL_SIGNATURE_PARAM_PROPERTIES given with the digest's name.
bool set_digest(SignatureContext& c, const char* name, const char* propq = nullptr) {
  ossl::MdPtr md = fetch_digest(*c.ctx, name, propq);
  if (!md) {
    raise_error(c.ctx, kReasonInvalidArgument,
                "digest %s is not available%s%s%s (is it spelled right, and does a provider "
                "loaded in the application offer it, e.g. default or fips?)",
                name, propq ? " with properties \"" : "", propq ? propq : "", propq ? "\"" : "");
    return false;
  }
  if (digest_info(md.get()) == nullptr) {
    raise_error(c.ctx, kReasonInvalidArgument,
                "digest %s cannot be used for ECDSA (as in OpenSSL's own ECDSA: use a SHA-1, "
                "SHA-2 or SHA-3 digest, e.g. SHA-256)",
                name);
    return false;
  }
  if (c.mdctx && c.md && !EVP_MD_is_a(md.get(), EVP_MD_get0_name(c.md.get()))) {
    raise_error(c.ctx, kReasonInvalidArgument,
                "the digest cannot change while a message is hashed");
    return false;
  }
  c.md = std::move(md);
  return true;
}

// The properties that fetched this signature select this provider (e.g.
// `-propquery provider=maxq1061`), which has no digests: unlike OpenSSL's own
// ECDSA, they are not the digest's. The digest is fetched with the
// application's default properties, or with OSSL_SIGNATURE_PARAM_PROPERTIES
// when the caller names the digest through the context's parameters.
void* sig_newctx(void* provctx, const char* /*propq*/) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  return guarded(ctx, static_cast<void*>(nullptr),
                 [&]() -> void* { return std::make_unique<SignatureContext>(ctx).release(); });
}

void sig_freectx(void* vctx) {
  std::unique_ptr<SignatureContext>(static_cast<SignatureContext*>(vctx));
}

void* sig_dupctx(void* vctx) {
  auto* src = static_cast<SignatureContext*>(vctx);
  return guarded(src->ctx, static_cast<void*>(nullptr), [&]() -> void* {
    auto c = std::make_unique<SignatureContext>(src->ctx);
    c->key = src->key;
    if (src->md) {
      if (!EVP_MD_up_ref(src->md.get())) return nullptr;
      c->md.reset(src->md.get());
    }
    if (src->mdctx) {
      c->mdctx.reset(EVP_MD_CTX_new());
      if (!c->mdctx || !EVP_MD_CTX_copy_ex(c->mdctx.get(), src->mdctx.get())) return nullptr;
    }
    return c.release();
  });
}

int init(SignatureContext& c, void* provkey, const OSSL_PARAM params[], bool sign) {
  c.mdctx.reset();
  if (provkey != nullptr) c.key = static_cast<EcKey*>(provkey);
  if (c.key == nullptr || !c.key->curve || c.key->public_point.empty()) {
    raise_error(c.ctx, kReasonInvalidKey, "ECDSA needs an EC key with a public point");
    return 0;
  }
  if (sign && !c.key->has_private()) {
    raise_error(c.ctx, kReasonInvalidKey, "ECDSA signing needs a private key");
    return 0;
  }
  return sig_set_ctx_params(&c, params);
}

int sig_sign_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] { return init(*c, provkey, params, true); });
}

int sig_verify_init(void* vctx, void* provkey, const OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] { return init(*c, provkey, params, false); });
}

// Signs `digest` with the context's key: on the chip, or in software for a
// software key pair. Writes DER; with sig == nullptr only reports the size.
int sign_digest(SignatureContext& c, unsigned char* sig, size_t* siglen, size_t sigsize,
                ByteView digest) {
  EcKey& key = *c.key;
  size_t max = wire::ecdsa_der_max_size(*key.curve);
  if (sig == nullptr) {
    *siglen = max;
    return 1;
  }
  if (!key.on_chip()) {
    ossl::PkeyCtxPtr pctx(
        EVP_PKEY_CTX_new_from_pkey(c.ctx->software_libctx(), ec_key_software(key), nullptr));
    *siglen = sigsize;
    return pctx && EVP_PKEY_sign_init(pctx.get()) > 0 &&
                   EVP_PKEY_sign(pctx.get(), sig, siglen, digest.data(), digest.size()) > 0
               ? 1
               : 0;
  }
  if (!ec_key_on_configured_chip(key)) return 0;
  transport::Device& device = c.ctx->device();
  // The key's point came with the key (reference file, store, generation):
  // the Device checks the first signature under it (a stale reference is
  // refused) and needs no read of it to check signatures on a suspect link.
  const transport::PublicKey given{key.curve->curve, key.public_xy().to_bytes()};
  Bytes raw = device.sign(*key.object_id, digest, &given);
  if (raw.size() != 2 * key.curve->field_bytes)
    throw transport::ProtocolError("the MAXQ1061 answered sign with " + std::to_string(raw.size()) +
                                   " bytes instead of r || s");
  std::optional<Bytes> der_sig = wire::ecdsa_der_from_raw(raw, key.curve->field_bytes);
  if (!der_sig)
    throw transport::ProtocolError("the MAXQ1061 answered sign with r or s zero, no signature");
  const Bytes& der = *der_sig;
  if (der.size() > sigsize) {
    raise_error(c.ctx, kReasonInvalidArgument, "signature buffer of %zu bytes is too small (%zu)",
                sigsize, der.size());
    return 0;
  }
  std::copy(der.begin(), der.end(), sig);
  *siglen = der.size();
  return 1;
}

int sig_sign(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize,
             const unsigned char* tbs, size_t tbslen) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] {
    if (sig != nullptr && c->md && tbslen != static_cast<size_t>(EVP_MD_get_size(c->md.get()))) {
      raise_error(c->ctx, kReasonInvalidArgument, "%zu bytes given to sign, but %s digests are %d",
                  tbslen, EVP_MD_get0_name(c->md.get()), EVP_MD_get_size(c->md.get()));
      return 0;
    }
    return sign_digest(*c, sig, siglen, sigsize, ByteView(tbs, tbslen));
  });
}

int verify_digest(SignatureContext& c, ByteView sig, ByteView digest) {
  ossl::PkeyCtxPtr pctx(
      EVP_PKEY_CTX_new_from_pkey(c.ctx->software_libctx(), ec_key_software(*c.key), nullptr));
  return pctx && EVP_PKEY_verify_init(pctx.get()) > 0 &&
                 EVP_PKEY_verify(pctx.get(), sig.data(), sig.size(), digest.data(),
                                 digest.size()) == 1
             ? 1
             : 0;
}

int sig_verify(void* vctx, const unsigned char* sig, size_t siglen, const unsigned char* tbs,
               size_t tbslen) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0,
                 [&] { return verify_digest(*c, ByteView(sig, siglen), ByteView(tbs, tbslen)); });
}

int digest_init(SignatureContext& c, const char* mdname, void* provkey, const OSSL_PARAM params[],
                bool sign) {
  if (!init(c, provkey, params, sign)) return 0;
  if (mdname != nullptr && *mdname != '\0') {
    if (!set_digest(c, mdname)) return 0;
  } else if (!c.md) {
    const wire::CurveInfo& curve = *c.key->curve;
    if (!set_digest(c, curve.field_bytes > 48   ? "SHA512"
                       : curve.field_bytes > 32 ? "SHA384"
                                                : "SHA256"))
      return 0;
  }
  c.mdctx.reset(EVP_MD_CTX_new());
  return c.mdctx && EVP_DigestInit_ex2(c.mdctx.get(), c.md.get(), nullptr) ? 1 : 0;
}

int sig_digest_sign_init(void* vctx, const char* mdname, void* provkey, const OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] { return digest_init(*c, mdname, provkey, params, true); });
}

int sig_digest_verify_init(void* vctx, const char* mdname, void* provkey,
                           const OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] { return digest_init(*c, mdname, provkey, params, false); });
}

int sig_digest_update(void* vctx, const unsigned char* data, size_t len) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return c->mdctx && EVP_DigestUpdate(c->mdctx.get(), data, len) ? 1 : 0;
}

int finish_digest(SignatureContext& c, unsigned char (&digest)[EVP_MAX_MD_SIZE], unsigned int& n) {
  if (!c.mdctx) {
    raise_error(c.ctx, kReasonInvalidArgument, "no message is being hashed (init missing)");
    return 0;
  }
  return EVP_DigestFinal_ex(c.mdctx.get(), digest, &n);
}

int sig_digest_sign_final(void* vctx, unsigned char* sig, size_t* siglen, size_t sigsize) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] {
    if (sig == nullptr) return sign_digest(*c, nullptr, siglen, sigsize, {});  // size, no I/O
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!finish_digest(*c, digest, n)) return 0;
    return sign_digest(*c, sig, siglen, sigsize, ByteView(digest, n));
  });
}

int sig_digest_verify_final(void* vctx, const unsigned char* sig, size_t siglen) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!finish_digest(*c, digest, n)) return 0;
    return verify_digest(*c, ByteView(sig, siglen), ByteView(digest, n));
  });
}

int sig_get_ctx_params(void* vctx, OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  return guarded(c->ctx, 0, [&] {
    const DigestInfo* d = c->md ? digest_info(c->md.get()) : nullptr;
    OSSL_PARAM* p;
    if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID))) {
      if (d == nullptr) return 0;
      if (!OSSL_PARAM_set_octet_string(p,
                                       d->algorithm_id.empty() ? nullptr : d->algorithm_id.data(),
                                       d->algorithm_id.size()))
        return 0;
    }
    if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST)) &&
        (d == nullptr || !OSSL_PARAM_set_utf8_string(p, EVP_MD_get0_name(c->md.get()))))
      return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST_SIZE)) &&
        (d == nullptr ||
         !OSSL_PARAM_set_size_t(p, static_cast<size_t>(EVP_MD_get_size(c->md.get())))))
      return 0;
    return 1;
  });
}

const OSSL_PARAM* sig_gettable_ctx_params(void*, void*) {
  static const OSSL_PARAM gettable[] = {
      OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_size_t(OSSL_SIGNATURE_PARAM_DIGEST_SIZE, nullptr),
      OSSL_PARAM_END,
  };
  return gettable;
}

int sig_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* c = static_cast<SignatureContext*>(vctx);
  if (params == nullptr) return 1;
  return guarded(c->ctx, 0, [&] {
    if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST)) {
      const char* name = nullptr;
      // The properties for this digest's fetch, as in OpenSSL's own ECDSA.
      const char* props = nullptr;
      const OSSL_PARAM* pp = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PROPERTIES);
      if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) ||
          (pp != nullptr && !OSSL_PARAM_get_utf8_string_ptr(pp, &props)) ||
          !set_digest(*c, name, props))
        return 0;
    }
    return 1;
  });
}

const OSSL_PARAM* sig_settable_ctx_params(void*, void*) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, nullptr, 0),
      OSSL_PARAM_END,
  };
  return settable;
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH ecdsa_signature_functions[] = {
    FN(OSSL_FUNC_SIGNATURE_NEWCTX, sig_newctx),
    FN(OSSL_FUNC_SIGNATURE_FREECTX, sig_freectx),
    FN(OSSL_FUNC_SIGNATURE_DUPCTX, sig_dupctx),
    FN(OSSL_FUNC_SIGNATURE_SIGN_INIT, sig_sign_init),
    FN(OSSL_FUNC_SIGNATURE_SIGN, sig_sign),
    FN(OSSL_FUNC_SIGNATURE_VERIFY_INIT, sig_verify_init),
    FN(OSSL_FUNC_SIGNATURE_VERIFY, sig_verify),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, sig_digest_sign_init),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, sig_digest_update),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, sig_digest_sign_final),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, sig_digest_verify_init),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, sig_digest_update),
    FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, sig_digest_verify_final),
    FN(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, sig_get_ctx_params),
    FN(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, sig_gettable_ctx_params),
    FN(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, sig_set_ctx_params),
    FN(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, sig_settable_ctx_params),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
