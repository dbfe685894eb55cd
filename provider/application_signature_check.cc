#include "provider/application_signature_check.h"

#include <openssl/evp.h>

#include "wire/ec_codec.h"
#include "wire/openssl_handles.h"

namespace maxq::provider {
namespace {

constexpr const char* kDefaultProviderOnly = "provider=default";

}  // namespace

bool ApplicationSignatureCheck::default_provider_serves(OSSL_LIB_CTX* ctx) {
  ossl::ErrorQueueMark mark;
  ossl::KeymgmtPtr keymgmt(EVP_KEYMGMT_fetch(ctx, "EC", kDefaultProviderOnly));
  ossl::SignaturePtr ecdsa(EVP_SIGNATURE_fetch(ctx, "ECDSA", kDefaultProviderOnly));
  return keymgmt && ecdsa;
}

const transport::SignatureCheck& ApplicationSignatureCheck::software() const {
  std::call_once(software_made_,
                 [this] { software_ = std::make_unique<transport::SignatureCheck>(); });
  return *software_;
}

bool ApplicationSignatureCheck::verify(wire::Curve curve, ByteView xy, ByteView digest,
                                       ByteView raw_signature) const {
  std::optional<wire::CurveInfo> info = wire::curve_info(curve);
  if (!info) return false;
  std::optional<bool> ok;
  {
    ossl::ErrorQueueMark mark;  // nothing of a failed check is the caller's
    ok = wire::ecdsa_verify_raw(application_, kDefaultProviderOnly, *info, xy, digest,
                                raw_signature);
  }
  // The key was not taken (off the curve, or no default provider there any
  // more): the software context decides.
  return ok ? *ok : software().verify(curve, xy, digest, raw_signature);
}

std::optional<wire::Curve> ApplicationSignatureCheck::curve_of_point(ByteView xy) const {
  std::optional<wire::Curve> found;
  {
    ossl::ErrorQueueMark mark;
    found = wire::curve_of_point(application_, kDefaultProviderOnly, xy);
  }
  return found ? found : software().curve_of_point(xy);
}

std::unique_ptr<transport::SignatureVerifier> make_signature_verifier(
    std::optional<OSSL_LIB_CTX*> application) {
  if (application && ApplicationSignatureCheck::default_provider_serves(*application))
    return std::make_unique<ApplicationSignatureCheck>(*application);
  return std::make_unique<transport::SignatureCheck>();
}

}  // namespace maxq::provider
