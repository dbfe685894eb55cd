// The simulator's crypto: libcrypto in the simulator's OWN library context with
// only the default provider, so a provider loaded by openssl.cnf is never
// called back from inside the chip model.
#pragma once

#include <openssl/evp.h>
#include <openssl/types.h>

#include <memory>
#include <optional>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::sim {

struct KeyPairMaterial {
  SecretBytes private_scalar;  // field_bytes, big-endian
  Bytes public_xy;             // X || Y
};

class SimCrypto {
 public:
  // The process-wide instance (a library context is expensive to create; it
  // holds no mutable state of its own that commands could observe).
  static SimCrypto& instance();
  ~SimCrypto();

  KeyPairMaterial generate(const wire::CurveInfo& curve);
  // Raw r || s, each padded to field_bytes. `cache` holds the key built from
  // scalar and point between calls (built when empty).
  Bytes sign_digest(const wire::CurveInfo& curve, ByteView private_scalar, ByteView public_xy,
                    ByteView digest, std::shared_ptr<EVP_PKEY>& cache);
  bool verify_digest(const wire::CurveInfo& curve, ByteView public_xy, ByteView digest,
                     ByteView raw_signature);
  // nullopt when the peer point is not on the curve.
  std::optional<SecretBytes> ecdh(const wire::CurveInfo& curve, ByteView private_scalar,
                                  ByteView public_xy, ByteView peer_xy, std::shared_ptr<EVP_PKEY>& cache);
  bool point_on_curve(const wire::CurveInfo& curve, ByteView xy);
  Bytes digest(wire::Algorithm alg, ByteView data);  // SHA-256/384/512
  void random(uint8_t* out, size_t n);
  OSSL_LIB_CTX* libctx() const { return ctx_; }

 private:
  SimCrypto();
  OSSL_LIB_CTX* ctx_ = nullptr;
  OSSL_PROVIDER* provider_ = nullptr;
};

}  // namespace maxq::sim
