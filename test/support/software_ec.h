// Test support: plain libcrypto (in its own library context) to check what the
// chip produced: signatures against the chip's public key, ECDH secrets.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::testing {

class SoftwareEc {
 public:
  SoftwareEc()
      : ctx_(OSSL_LIB_CTX_new(), OSSL_LIB_CTX_free),
        prov_(OSSL_PROVIDER_load(ctx_.get(), "default"), OSSL_PROVIDER_unload) {}

  using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

  Pkey public_key(wire::Curve curve, ByteView xy) const {
    auto info = wire::curve_info(static_cast<uint8_t>(curve));
    Bytes point{0x04};
    point.insert(point.end(), xy.begin(), xy.end());
    std::string group(info->sn);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
        OSSL_PARAM_construct_end()};
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
        EVP_PKEY_CTX_new_from_name(ctx_.get(), "EC", nullptr), EVP_PKEY_CTX_free);
    EVP_PKEY* k = nullptr;
    if (!pctx || EVP_PKEY_fromdata_init(pctx.get()) <= 0 ||
        EVP_PKEY_fromdata(pctx.get(), &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
      throw std::runtime_error("not a valid public key");
    return Pkey(k, EVP_PKEY_free);
  }

  Pkey generate(wire::Curve curve) const {
    std::string group(wire::curve_info(static_cast<uint8_t>(curve))->sn);
    return Pkey(EVP_PKEY_Q_keygen(ctx_.get(), nullptr, "EC", group.c_str()), EVP_PKEY_free);
  }

  static Bytes public_xy(EVP_PKEY* k) {
    Bytes p(200);
    size_t len = 0;
    EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, p.data(), p.size(), &len);
    return Bytes(p.begin() + 1, p.begin() + static_cast<long>(len));
  }

  // Raw r || s over `digest` with the chip's public key.
  bool verify(wire::Curve curve, ByteView xy, ByteView digest, ByteView raw) const {
    Pkey key = public_key(curve, xy);
    size_t half = raw.size() / 2;
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), ECDSA_SIG_free);
    ECDSA_SIG_set0(sig.get(), BN_bin2bn(raw.data(), static_cast<int>(half), nullptr),
                   BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr));
    unsigned char* der = nullptr;
    int der_len = i2d_ECDSA_SIG(sig.get(), &der);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
        EVP_PKEY_CTX_new_from_pkey(ctx_.get(), key.get(), nullptr), EVP_PKEY_CTX_free);
    bool ok = EVP_PKEY_verify_init(pctx.get()) > 0 &&
              EVP_PKEY_verify(pctx.get(), der, static_cast<size_t>(der_len), digest.data(),
                              digest.size()) == 1;
    OPENSSL_free(der);
    return ok;
  }

  Bytes ecdh(EVP_PKEY* mine, EVP_PKEY* peer) const {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> pctx(
        EVP_PKEY_CTX_new_from_pkey(ctx_.get(), mine, nullptr), EVP_PKEY_CTX_free);
    size_t len = 0;
    EVP_PKEY_derive_init(pctx.get());
    EVP_PKEY_derive_set_peer(pctx.get(), peer);
    EVP_PKEY_derive(pctx.get(), nullptr, &len);
    Bytes out(len);
    EVP_PKEY_derive(pctx.get(), out.data(), &len);
    return out;
  }

 private:
  std::unique_ptr<OSSL_LIB_CTX, decltype(&OSSL_LIB_CTX_free)> ctx_;
  std::unique_ptr<OSSL_PROVIDER, decltype(&OSSL_PROVIDER_unload)> prov_;
};

}  // namespace maxq::testing
