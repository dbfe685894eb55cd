// Owning handles for libcrypto objects, shared by every layer: each handle is
// freed (and, where it may hold a secret, cleared) when it goes out of scope.
// For a type not listed: std::unique_ptr<T, ossl::Deleter<T_free>>.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <memory>

namespace maxq::ossl {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Fn(p);
  }
};

inline void free_bytes(unsigned char* p) {
  OPENSSL_free(p);
}

using LibCtxPtr = std::unique_ptr<OSSL_LIB_CTX, Deleter<OSSL_LIB_CTX_free>>;
using ProviderPtr = std::unique_ptr<OSSL_PROVIDER, Deleter<OSSL_PROVIDER_unload>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, Deleter<OSSL_PARAM_BLD_free>>;
// A private scalar pushed as a secure BIGNUM lands in the array's secure block,
// which OSSL_PARAM_free clears before freeing it.
using ParamsPtr = std::unique_ptr<OSSL_PARAM, Deleter<OSSL_PARAM_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG_free>>;
using MdPtr = std::unique_ptr<EVP_MD, Deleter<EVP_MD_free>>;
using KeymgmtPtr = std::unique_ptr<EVP_KEYMGMT, Deleter<EVP_KEYMGMT_free>>;
using SignaturePtr = std::unique_ptr<EVP_SIGNATURE, Deleter<EVP_SIGNATURE_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using EncoderCtxPtr = std::unique_ptr<OSSL_ENCODER_CTX, Deleter<OSSL_ENCODER_CTX_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using EcPointPtr = std::unique_ptr<EC_POINT, Deleter<EC_POINT_free>>;
using BytesPtr = std::unique_ptr<unsigned char, Deleter<free_bytes>>;

// A mark on this thread's error queue for a scope: what libcrypto queues
// while it lives is dropped when it goes (an exception included), unless
// keep() was called, which leaves those errors for the caller.
class ErrorQueueMark {
 public:
  ErrorQueueMark() { ERR_set_mark(); }
  ~ErrorQueueMark() {
    if (keep_)
      ERR_clear_last_mark();
    else
      ERR_pop_to_mark();
  }
  ErrorQueueMark(const ErrorQueueMark&) = delete;
  ErrorQueueMark& operator=(const ErrorQueueMark&) = delete;
  void keep() { keep_ = true; }

 private:
  bool keep_ = false;
};

}  // namespace maxq::ossl
