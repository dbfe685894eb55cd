#include "transport/signature_check.h"

#include <openssl/err.h>

#include <stdexcept>
#include <string>

#include "transport/errors.h"
#include "wire/ec_codec.h"

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
  // Nothing of a failed check belongs in the caller's error queue.
  ERR_set_mark();
  std::optional<bool> ok =
      wire::ecdsa_verify_raw(ctx_.get(), nullptr, *info, xy, digest, raw_signature);
  ERR_pop_to_mark();
  return ok.value_or(false);
}

std::optional<wire::Curve> SignatureCheck::curve_of_point(ByteView xy) const {
  ERR_set_mark();
  std::optional<wire::Curve> found = wire::curve_of_point(ctx_.get(), nullptr, xy);
  ERR_pop_to_mark();
  return found;
}

}  // namespace maxq::transport
