#include "transport/signature_check.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <string>

#include "transport/errors.h"
#include "wire/openssl_handles.h"
#include "wire/software_libctx.h"

namespace maxq::transport {
struct SignatureCheck::Impl {
  ossl::SharedLibCtx ctx;  // the process's software context: default provider only
};

SignatureCheck::SignatureCheck() : impl_(std::make_unique<Impl>()) {
  try {
    impl_->ctx = ossl::software_libctx();
  } catch (const std::runtime_error& e) {
    throw Error(std::string("cannot set up libcrypto to check the chip's signatures: ") + e.what());
  }
}

SignatureCheck::~SignatureCheck() = default;

namespace {

ossl::PkeyPtr public_key_in(OSSL_LIB_CTX* ctx, const wire::CurveInfo& info, ByteView xy) {
  if (xy.size() != 2 * info.field_bytes) return nullptr;
  Bytes point{0x04};
  point.insert(point.end(), xy.begin(), xy.end());
  std::string group(info.sn);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  ossl::PkeyCtxPtr from(EVP_PKEY_CTX_new_from_name(ctx, "EC", nullptr));
  EVP_PKEY* raw_key = nullptr;
  if (!from || EVP_PKEY_fromdata_init(from.get()) != 1 ||
      EVP_PKEY_fromdata(from.get(), &raw_key, EVP_PKEY_PUBLIC_KEY, params) != 1)
    return nullptr;
  return ossl::PkeyPtr(raw_key);
}

}  // namespace

std::optional<wire::Curve> SignatureCheck::curve_of_point(ByteView xy) const {
  ERR_set_mark();
  std::optional<wire::Curve> found;
  for (uint8_t id = 0; id <= static_cast<uint8_t>(wire::Curve::Brainpool512) && !found; ++id) {
    auto info = wire::curve_info(id);
    if (info && public_key_in(impl_->ctx.get(), *info, xy)) found = info->curve;
  }
  ERR_pop_to_mark();
  return found;
}

bool SignatureCheck::verify(wire::Curve curve, ByteView xy, ByteView digest,
                            ByteView raw_signature) const {
  auto info = wire::curve_info(static_cast<uint8_t>(curve));
  if (!info || xy.size() != 2 * info->field_bytes || raw_signature.size() % 2 != 0 ||
      raw_signature.empty() || digest.empty())
    return false;
  // Nothing of a failed check belongs in the caller's error queue.
  ERR_set_mark();
  ossl::PkeyPtr key = public_key_in(impl_->ctx.get(), *info, xy);
  if (!key) {
    ERR_pop_to_mark();
    return false;
  }

  // Raw r || s to the DER form libcrypto verifies.
  const size_t half = raw_signature.size() / 2;
  ossl::EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(raw_signature.data(), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(raw_signature.data() + half, static_cast<int>(half), nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ERR_pop_to_mark();
    return false;
  }
  unsigned char* der_raw = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der_raw);
  ossl::BytesPtr der(der_raw);
  ossl::PkeyCtxPtr vctx(EVP_PKEY_CTX_new_from_pkey(impl_->ctx.get(), key.get(), nullptr));
  bool ok = der_len > 0 && vctx && EVP_PKEY_verify_init(vctx.get()) == 1 &&
            EVP_PKEY_verify(vctx.get(), der.get(), static_cast<size_t>(der_len), digest.data(),
                            digest.size()) == 1;
  ERR_pop_to_mark();
  return ok;
}

}  // namespace maxq::transport
