// EC groups for the curves the chip knows, made once per provider and shared
// read-only by every key. Checking a peer's point against a ready group costs a
// few microseconds; building an EVP_PKEY for it (a new group each time) costs
// far more, and a TLS handshake brings two or three such points.
#pragma once

#include <openssl/ec.h>
#include <openssl/types.h>

#include <array>
#include <memory>
#include <mutex>

#include "wire/bytes.h"
#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::provider {

class CurveGroups {
 public:
  explicit CurveGroups(OSSL_LIB_CTX* libctx) : libctx_(libctx) {}

  // The group of `curve`, made at first use; null when libcrypto cannot make it.
  const EC_GROUP* get(const wire::CurveInfo& curve);

  // 04 || X || Y for a point in any encoding libcrypto reads (uncompressed,
  // compressed, hybrid) that lies on `curve` and is not the point at infinity;
  // empty otherwise. Leaves nothing on the error queue.
  Bytes uncompressed_point(const wire::CurveInfo& curve, ByteView encoded);

 private:
  static constexpr size_t kCurveIds = 6;  // wire::Curve values 0..5
  OSSL_LIB_CTX* libctx_;
  std::array<std::once_flag, kCurveIds> made_;
  std::array<ossl::EcGroupPtr, kCurveIds> groups_;
};

}  // namespace maxq::provider
