#include "transport/signature_check.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <optional>
#include <string>

#include "transport/errors.h"
#include "wire/ec_codec.h"
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

std::optional<wire::Curve> SignatureCheck::curve_of_point(ByteView xy) const {
  ERR_set_mark();
  std::optional<wire::Curve> found;
  for (uint8_t id = 0; id <= static_cast<uint8_t>(wire::Curve::Brainpool512) && !found; ++id) {
    auto info = wire::curve_info(id);
    if (info && xy.size() == 2 * info->field_bytes &&
        wire::ec_public_key(impl_->ctx.get(), *info, xy))
      found = info->curve;
  }
  ERR_pop_to_mark();
  return found;
}

bool SignatureCheck::verify(wire::Curve curve, ByteView xy, ByteView digest,
                            ByteView raw_signature) const {
  auto info = wire::curve_info(static_cast<uint8_t>(curve));
  if (!info || xy.size() != 2 * info->field_bytes ||
      raw_signature.size() != 2 * info->field_bytes || digest.empty())
    return false;
  // Nothing of a failed check belongs in the caller's error queue.
  ERR_set_mark();
  ossl::PkeyPtr key = wire::ec_public_key(impl_->ctx.get(), *info, xy);
  // Raw r || s to the DER form libcrypto verifies.
  std::optional<Bytes> der =
      key ? wire::ecdsa_der_from_raw(raw_signature, info->field_bytes) : std::nullopt;
  ossl::PkeyCtxPtr vctx(der ? EVP_PKEY_CTX_new_from_pkey(impl_->ctx.get(), key.get(), nullptr)
                            : nullptr);
  bool ok =
      vctx && EVP_PKEY_verify_init(vctx.get()) == 1 &&
      EVP_PKEY_verify(vctx.get(), der->data(), der->size(), digest.data(), digest.size()) == 1;
  ERR_pop_to_mark();
  return ok;
}

}  // namespace maxq::transport
