// The Device's signature checks in the application's library context, where a
// short process has its libcrypto set up already: a one-shot `openssl dgst
// -sign` then builds no second context for the one check of its first
// signature (about 2.5 M instructions, issue 16). Every fetch names
// "provider=default", so nothing it does can reach this provider; where the
// application's context has no default provider to serve (only base, or
// default properties such as fips=yes that rule it out), the checks run in
// the process's software context (transport::SignatureCheck). The
// application's context is used here, in provider/, never in transport/.
#pragma once

#include <openssl/types.h>

#include <memory>
#include <mutex>
#include <optional>

#include "transport/signature_check.h"

namespace maxq::provider {

class ApplicationSignatureCheck final : public transport::SignatureVerifier {
 public:
  // `application` must serve (default_provider_serves) and outlive this.
  explicit ApplicationSignatureCheck(OSSL_LIB_CTX* application) : application_(application) {}

  // Whether OpenSSL's default provider gives EC keys and ECDSA in `ctx` (not
  // when it is not loaded there, or default properties rule it out).
  static bool default_provider_serves(OSSL_LIB_CTX* ctx);

  bool verify(wire::Curve curve, ByteView xy, ByteView digest,
              ByteView raw_signature) const override;
  std::optional<wire::Curve> curve_of_point(ByteView xy) const override;

 private:
  // When the application's context stops taking keys (its default provider
  // unloaded since): the software context, made then.
  const transport::SignatureCheck& software() const;

  OSSL_LIB_CTX* application_;
  mutable std::once_flag software_made_;
  mutable std::unique_ptr<transport::SignatureCheck> software_;
};

// The verifier for a Device of this provider: in the application's context
// (nullptr: OpenSSL's default one) when OpenSSL's default provider serves
// there, otherwise in the software context. nullopt: not known (a core
// without get_libctx).
std::unique_ptr<transport::SignatureVerifier> make_signature_verifier(
    std::optional<OSSL_LIB_CTX*> application);

}  // namespace maxq::provider
