// Software verification of a signature the chip made, before the Device hands
// it out. CRC-16 lets about one in 32,000 multi-byte corruptions through; on a
// noisy bus that is a wrong signature every few ten thousand signs, which a
// TLS peer would reject at best. A faulty signature is also the classic way a
// fault attack extracts an ECDSA key, so checking before release costs one
// verify (tens of microseconds) and closes both. When the Device uses it is set
// by DeviceOptions::verify_signatures (by default: while the link is suspect).
#pragma once

#include <optional>

#include "wire/bytes.h"
#include "wire/protocol.h"
#include "wire/software_libctx.h"

namespace maxq::transport {

// What a Device checks chip signatures and chip points with. The Device makes
// its verifier at first need (DeviceOptions::make_signature_verifier): the
// provider gives one that runs in the application's library context
// (provider/application_signature_check.h); everything else uses
// SignatureCheck.
class SignatureVerifier {
 public:
  virtual ~SignatureVerifier() = default;
  // True when raw r || s is an ECDSA signature over `digest` by the public key
  // X || Y on `curve`. False for anything else (malformed input included).
  // Leaves nothing on the error queue.
  virtual bool verify(wire::Curve curve, ByteView xy, ByteView digest,
                      ByteView raw_signature) const = 0;
  // The curve whose point X || Y is, among the curves with that field size
  // (P-256 and brainpoolP256r1 share one); nullopt when on none of them.
  virtual std::optional<wire::Curve> curve_of_point(ByteView xy) const = 0;
};

// The checks in the process's software library context (OpenSSL's default
// provider only, wire/software_libctx.h): nothing there can call back into the
// maxq1061 provider, and transport/ never uses the application's context.
class SignatureCheck final : public SignatureVerifier {
 public:
  // Throws Error when libcrypto cannot be set up.
  SignatureCheck();

  bool verify(wire::Curve curve, ByteView xy, ByteView digest,
              ByteView raw_signature) const override;
  std::optional<wire::Curve> curve_of_point(ByteView xy) const override;

 private:
  ossl::SharedLibCtx ctx_;
};

}  // namespace maxq::transport
