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
namespace {

constexpr const char* kDefaultProviderOnly = "provider=default";

// Whether `ctx` gives EC keys and ECDSA from OpenSSL's default provider (not
// when it is not loaded there, or default properties such as fips=yes rule it out).
bool default_provider_serves(OSSL_LIB_CTX* ctx) {
  ERR_set_mark();
  ossl::KeymgmtPtr keymgmt(EVP_KEYMGMT_fetch(ctx, "EC", kDefaultProviderOnly));
  ossl::SignaturePtr ecdsa(EVP_SIGNATURE_fetch(ctx, "ECDSA", kDefaultProviderOnly));
  ERR_pop_to_mark();
  return keymgmt && ecdsa;
}

}  // namespace

struct SignatureCheck::Impl {
  ossl::SharedLibCtx own;  // the process's software context, when used
  OSSL_LIB_CTX* ctx = nullptr;
  const char* propq = nullptr;
};

SignatureCheck::SignatureCheck(std::optional<OSSL_LIB_CTX*> application)
    : impl_(std::make_unique<Impl>()) {
  if (application && default_provider_serves(*application)) {
    impl_->ctx = *application;
    impl_->propq = kDefaultProviderOnly;
    return;
  }
  try {
    impl_->own = ossl::software_libctx();
    impl_->ctx = impl_->own.get();
  } catch (const std::runtime_error& e) {
    throw Error(std::string("cannot set up libcrypto to check the chip's signatures: ") + e.what());
  }
}

SignatureCheck::~SignatureCheck() = default;

bool SignatureCheck::in_application_context() const {
  return !impl_->own;
}

std::optional<wire::Curve> SignatureCheck::curve_of_point(ByteView xy) const {
  ERR_set_mark();
  std::optional<wire::Curve> found;
  for (uint8_t id = 0; id <= static_cast<uint8_t>(wire::Curve::Brainpool512) && !found; ++id) {
    auto info = wire::curve_info(id);
    if (info && xy.size() == 2 * info->field_bytes &&
        wire::ec_public_key(impl_->ctx, *info, xy, impl_->propq))
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
  ossl::PkeyPtr key = wire::ec_public_key(impl_->ctx, *info, xy, impl_->propq);
  // Raw r || s to the DER form libcrypto verifies.
  std::optional<Bytes> der =
      key ? wire::ecdsa_der_from_raw(raw_signature, info->field_bytes) : std::nullopt;
  ossl::PkeyCtxPtr vctx(der ? EVP_PKEY_CTX_new_from_pkey(impl_->ctx, key.get(), impl_->propq)
                            : nullptr);
  bool ok =
      vctx && EVP_PKEY_verify_init(vctx.get()) == 1 &&
      EVP_PKEY_verify(vctx.get(), der->data(), der->size(), digest.data(), digest.size()) == 1;
  ERR_pop_to_mark();
  return ok;
}

}  // namespace maxq::transport
