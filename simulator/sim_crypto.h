// The simulated chip's crypto engine: libcrypto in the chip's OWN library
// context with only the default provider loaded, so that a provider loaded
// through openssl.cnf (this project's, for one) is never called back from
// inside the chip model. One instance per Chip; not shared between threads
// (the Chip itself is driven by one host at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "wire/bytes.h"
#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::sim {

// libcrypto failed where it should not (out of memory, a stored key that does
// not load). The chip answers such commands with Status::CryptoFailure.
class CryptoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KeyPairMaterial {
  SecretBytes private_scalar;  // field_bytes, big-endian
  Bytes public_xy;             // X || Y, field_bytes each
  ossl::PkeyPtr key;           // the same key as a libcrypto object
};

class SimCrypto {
 public:
  SimCrypto();  // throws CryptoError when the default provider cannot be loaded
  SimCrypto(const SimCrypto&) = delete;
  SimCrypto& operator=(const SimCrypto&) = delete;

  KeyPairMaterial generate(const wire::CurveInfo& curve);

  // A key pair from stored material; CryptoError when it does not load.
  ossl::PkeyPtr key_pair(const wire::CurveInfo& curve, ByteView private_scalar, ByteView public_xy);
  // A public key from X || Y; nullptr when the point is not on the curve (or
  // has the wrong size). libcrypto checks the point while importing it.
  ossl::PkeyPtr public_key(const wire::CurveInfo& curve, ByteView public_xy);
  // A key pair from untrusted material (key import): nullptr unless the point
  // is on the curve, the scalar d is in [1, n-1] and d * G == (X, Y).
  ossl::PkeyPtr checked_key_pair(const wire::CurveInfo& curve, ByteView private_scalar,
                                 ByteView public_xy);

  // ECDSA over a digest the caller computed; raw r || s, each padded to
  // field_bytes.
  Bytes sign_digest(EVP_PKEY* key, size_t field_bytes, ByteView digest);
  // false for any signature that does not verify (also a malformed one).
  bool verify_digest(EVP_PKEY* key, size_t field_bytes, ByteView digest, ByteView raw_signature);
  // Raw ECDH: the X coordinate of key * peer, field_bytes long.
  SecretBytes ecdh(EVP_PKEY* key, EVP_PKEY* peer, size_t field_bytes);

  // SHA-256/384/512 (wire::Algorithm::Sha256/384/512).
  Bytes digest(wire::Algorithm alg, ByteView data);
  // The chip's TRNG (the default provider's Hash_DRBG, SHA-256, of this context).
  void random(uint8_t* out, size_t n);

  OSSL_LIB_CTX* libctx() const { return ctx_.get(); }

 private:
  // The chip's OWN library context with only the default provider
  // (docs/design.md): the model shares nothing with the host side it simulates,
  // at the price of one more context per process that opens a simulated chip.
  ossl::LibCtxPtr ctx_;
  ossl::ProviderPtr provider_;
};

}  // namespace maxq::sim
