// CurveGroups: the cheap point check every peer key and chip answer goes through.
#include "provider/curve_groups.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

using maxq::Bytes;
using maxq::ByteView;
using maxq::provider::CurveGroups;

namespace {

const maxq::wire::CurveInfo kP256 = *maxq::wire::curve_by_name("P-256");
const maxq::wire::CurveInfo kP384 = *maxq::wire::curve_by_name("P-384");

// A fresh software key's point in the given conversion form.
Bytes point_of_new_key(const maxq::wire::CurveInfo& curve, const char* form) {
  std::string sn(curve.sn);
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", sn.c_str());
  REQUIRE(key != nullptr);
  REQUIRE(EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, form));
  Bytes out(1 + 2 * curve.field_bytes);
  size_t len = 0;
  REQUIRE(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(),
                                          &len) == 1);
  out.resize(len);
  EVP_PKEY_free(key);
  return out;
}

}  // namespace

TEST_CASE("valid points come back uncompressed", "[curve_groups]") {
  CurveGroups groups(nullptr);
  for (const auto& curve : {kP256, kP384}) {
    Bytes uncompressed = point_of_new_key(curve, "uncompressed");
    CHECK(groups.uncompressed_point(curve, uncompressed) == uncompressed);
    // The same key's compressed form is a different encoding of the same point.
    Bytes compressed = point_of_new_key(curve, "compressed");
    Bytes expanded = groups.uncompressed_point(curve, compressed);
    REQUIRE(expanded.size() == 1 + 2 * curve.field_bytes);
    CHECK(expanded[0] == 0x04);
    CHECK(std::equal(compressed.begin() + 1, compressed.end(), expanded.begin() + 1));
  }
}

TEST_CASE("anything but a point on the curve is refused, quietly", "[curve_groups]") {
  CurveGroups groups(nullptr);
  Bytes good = point_of_new_key(kP256, "uncompressed");
  Bytes off_curve = good;
  off_curve.back() ^= 0x01;
  Bytes truncated(good.begin(), good.end() - 1);
  Bytes bad_prefix = good;
  bad_prefix[0] = 0x05;
  Bytes infinity{0x00};
  ERR_clear_error();
  for (const Bytes& b : {off_curve, truncated, bad_prefix, infinity, Bytes()}) {
    CHECK(groups.uncompressed_point(kP256, b).empty());
  }
  // A P-256 point is not a P-384 point.
  CHECK(groups.uncompressed_point(kP384, good).empty());
  CHECK(ERR_peek_error() == 0);  // the caller raises its own, clearer error
}

TEST_CASE("one group per curve, shared by threads", "[curve_groups]") {
  CurveGroups groups(nullptr);
  Bytes good = point_of_new_key(kP256, "uncompressed");
  std::vector<std::thread> threads;
  std::vector<int> ok(8, 0);
  for (size_t t = 0; t < ok.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) ok[t] += groups.uncompressed_point(kP256, good) == good;
    });
  for (auto& t : threads) t.join();
  for (int n : ok) CHECK(n == 50);
  CHECK(groups.get(kP256) == groups.get(kP256));
  CHECK(groups.get(kP256) != groups.get(kP384));
}

TEST_CASE("every curve of the chip has a group (cofactor 1, which the check relies on)",
          "[curve_groups]") {
  CurveGroups groups(nullptr);
  for (uint8_t id = 0; id < 6; ++id) {
    auto curve = maxq::wire::curve_info(id);
    REQUIRE(curve);
    INFO(curve->sn);
    CHECK(groups.get(*curve) != nullptr);
    Bytes point = point_of_new_key(*curve, "uncompressed");
    CHECK(groups.uncompressed_point(*curve, point) == point);
  }
}
