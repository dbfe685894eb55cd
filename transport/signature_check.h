// Software verification of a signature the chip made, before the Device hands
// it out. CRC-16 lets about one in 32,000 multi-byte corruptions through; on a
// noisy bus that is a wrong signature every few ten thousand signs, which a
// TLS peer would reject at best. A faulty signature is also the classic way a
// fault attack extracts an ECDSA key, so checking before release costs one
// verify (tens of microseconds) and closes both. When the Device uses it is set
// by DeviceOptions::verify_signatures (by default: while the link is suspect).
// Uses libcrypto with OpenSSL's default provider only, so that no check can
// call back into the maxq1061 provider: in the application's library context
// when the provider hands it over and the default provider is loaded there
// (every fetch with "provider=default"), otherwise in the process's software
// context (wire/software_libctx.h). The first saves a short process a second
// name map and method store, about 2.5 M instructions (issue 16).
#pragma once

#include <openssl/types.h>

#include <memory>
#include <optional>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::transport {

class SignatureCheck {
 public:
  // `application`: the library context of the application the provider runs
  // in (nullptr is OpenSSL's default context); nullopt outside a provider
  // (maxq1061-tool, maxq1061d). Throws Error when libcrypto cannot be set up.
  explicit SignatureCheck(std::optional<OSSL_LIB_CTX*> application = std::nullopt);
  ~SignatureCheck();
  SignatureCheck(const SignatureCheck&) = delete;
  SignatureCheck& operator=(const SignatureCheck&) = delete;

  // True when raw r || s is an ECDSA signature over `digest` by the public key
  // X || Y on `curve`. False for anything else (malformed input included).
  bool verify(wire::Curve curve, ByteView xy, ByteView digest, ByteView raw_signature) const;
  // The curve whose point X || Y is, among the curves with that field size
  // (P-256 and brainpoolP256r1 share one); nullopt when on none of them.
  std::optional<wire::Curve> curve_of_point(ByteView xy) const;
  // True when the checks run in the application's library context.
  bool in_application_context() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace maxq::transport
