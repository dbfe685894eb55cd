#include "transport/signature_check.h"

#include <stdexcept>
#include <string>

#include "transport/errors.h"
#include "wire/ec_codec.h"
#include "wire/openssl_handles.h"

namespace maxq::transport {

SignatureCheck::SignatureCheck() {
  try {
    ctx_ = ossl::software_libctx();
  } catch (const std::runtime_error& e) {
    throw Error(std::string("cannot set up libcrypto to check the chip's signatures: ") + e.what());
  }
}

bool SignatureCheck::verify(wire::Curve curve, ByteView xy, ByteView digest,
                            ByteView raw_signature) const {
  std::optional<wire::CurveInfo> info = wire::curve_info(curve);
  if (!info) return false;
  ossl::ErrorQueueMark mark;  // nothing of a failed check is the caller's
  return wire::ecdsa_verify_raw(ctx_.get(), nullptr, *info, xy, digest, raw_signature)
      .value_or(false);
}

std::optional<wire::Curve> SignatureCheck::curve_of_point(ByteView xy) const {
  ossl::ErrorQueueMark mark;
  return wire::curve_of_point(ctx_.get(), nullptr, xy);
}

}  // namespace maxq::transport
