#include "tools/tool_crypto.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>

#include "wire/ec_codec.h"
#include "wire/openssl_handles.h"
#include "wire/software_libctx.h"

namespace maxq::tool {
namespace {

using ossl::BioPtr;
using ossl::PkeyPtr;
using ossl::X509Ptr;

// The process's software context (default provider only: a provider loaded
// through openssl.cnf must not serve the tool's own software work), the same
// one the credentials and the signature checks use (wire/software_libctx.h).
OSSL_LIB_CTX* libctx() {
  static const ossl::SharedLibCtx ctx = ossl::software_libctx();  // the tool is single-threaded
  return ctx.get();
}

}  // namespace

std::string public_key_pem(const transport::PublicKey& key) {
  auto info = wire::curve_info(static_cast<uint8_t>(key.curve));
  if (!info) throw std::runtime_error("chip reported an unknown curve");
  PkeyPtr pkey = wire::ec_public_key(libctx(), *info, key.xy);
  if (!pkey) throw std::runtime_error("the chip returned a public key that is not a valid point");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PUBKEY(bio.get(), pkey.get()))
    throw std::runtime_error("cannot encode the public key as PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Bytes certificate_der(const std::string& contents, const std::string& path) {
  BioPtr bio(BIO_new_mem_buf(contents.data(), static_cast<int>(contents.size())));
  X509Ptr cert(X509_new_ex(libctx(), nullptr));
  if (!bio || !cert) throw std::runtime_error("out of memory");
  X509* raw = cert.get();
  if (contents.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
    if (!PEM_read_bio_X509(bio.get(), &raw, nullptr, nullptr))
      throw std::runtime_error(path + " has a CERTIFICATE PEM block that does not parse");
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(contents.data());
    if (!d2i_X509(&raw, &p, static_cast<long>(contents.size())))
      throw std::runtime_error(path + " is neither a PEM nor a DER X.509 certificate");
  }
  unsigned char* der = nullptr;
  int n = i2d_X509(cert.get(), &der);
  ossl::BytesPtr owner(der);
  if (n <= 0) throw std::runtime_error("cannot re-encode the certificate in " + path);
  return Bytes(der, der + n);
}

wire::CurveInfo certificate_key_curve(ByteView der, const std::string& path) {
  const unsigned char* p = der.data();
  X509Ptr cert(X509_new_ex(libctx(), nullptr));
  X509* raw = cert.get();
  if (!cert || !d2i_X509(&raw, &p, static_cast<long>(der.size())))
    throw std::runtime_error(path + " is not an X.509 certificate");
  EVP_PKEY* key = X509_get0_pubkey(cert.get());  // owned by the certificate
  const std::string known =
      "the chip stores certificates of EC keys on P-256, P-384, P-521, brainpoolP256r1, "
      "brainpoolP384r1 or brainpoolP512r1";
  if (!key)
    throw std::runtime_error(path + ": the certificate's public key does not parse; " + known);
  if (!EVP_PKEY_is_a(key, "EC"))
    throw std::runtime_error(
        path + ": the certificate's key is " +
        std::string(EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "not EC") +
        ", not EC; " + known);
  char group[80] = {0};
  size_t len = 0;
  if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
    throw std::runtime_error(path + ": the certificate's EC key has no named curve; " + known);
  auto curve = wire::curve_by_name(group);
  if (!curve)
    throw std::runtime_error(path + ": the certificate's key is on " + group + "; " + known);
  return *curve;
}

}  // namespace maxq::tool
