#include "provider/curve_groups.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <string>

namespace maxq::provider {
const EC_GROUP* CurveGroups::get(const wire::CurveInfo& curve) {
  size_t i = static_cast<size_t>(curve.curve);
  if (i >= kCurveIds) return nullptr;
  std::call_once(made_[i], [&] {
    std::string sn(curve.sn);
    groups_[i].reset(EC_GROUP_new_by_curve_name_ex(libctx_, nullptr, OBJ_sn2nid(sn.c_str())));
    // All curves of the chip have cofactor 1; the point check relies on it.
    if (groups_[i] && !BN_is_one(EC_GROUP_get0_cofactor(groups_[i].get()))) groups_[i].reset();
  });
  return groups_[i].get();
}

Bytes CurveGroups::uncompressed_point(const wire::CurveInfo& curve, ByteView encoded) {
  const EC_GROUP* group = get(curve);
  if (group == nullptr || encoded.empty()) return {};
  Bytes out(1 + 2 * curve.field_bytes);
  bool ok;
  {
    ossl::ErrorQueueMark mark;
    ossl::EcPointPtr point(EC_POINT_new(group));
    // oct2point refuses points off the curve; infinity is no public key. With
    // cofactor 1 (get() holds no other groups) that is full public-key
    // validation (SP 800-56A 5.6.2.3.3): n * Q is infinity for every such point.
    ok = point &&
         EC_POINT_oct2point(group, point.get(), encoded.data(), encoded.size(), nullptr) == 1 &&
         EC_POINT_is_at_infinity(group, point.get()) == 0 &&
         EC_POINT_is_on_curve(group, point.get(), nullptr) == 1;
    if (ok && !(encoded.size() == out.size() && encoded[0] == POINT_CONVERSION_UNCOMPRESSED))
      ok = EC_POINT_point2oct(group, point.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(),
                              out.size(), nullptr) == out.size();
    else if (ok)
      out.assign(encoded.begin(), encoded.end());
  }
  if (!ok) return {};
  return out;
}

}  // namespace maxq::provider
