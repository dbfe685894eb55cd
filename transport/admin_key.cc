#include "transport/admin_key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>

#include <cerrno>
#include <cstring>

#include "transport/errors.h"
#include "wire/openssl_handles.h"

namespace maxq::transport {
namespace {

// The admin key file is read unattended (inside a provider, a server): an
// encrypted key must fail, not prompt on the terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

constexpr char kWhereFrom[] =
    ". Set admin-key in the provider's config section or MAXQ1061_ADMIN_KEY to the PEM file of "
    "the chip's admin key (a simulated chip keeps it beside its state file as PATH.admin.pem)";

}  // namespace

struct AdminKey::Impl {
  // Own context with only the default provider: never the application's.
  ossl::LibCtxPtr ctx{OSSL_LIB_CTX_new()};
  ossl::ProviderPtr provider;
  ossl::PkeyPtr key;
  ~Impl() {
    key.reset();
    provider.reset();
  }
};

AdminKey::AdminKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdminKey::AdminKey(AdminKey&&) noexcept = default;
AdminKey& AdminKey::operator=(AdminKey&&) noexcept = default;
AdminKey::~AdminKey() = default;

AdminKey AdminKey::load(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  if (!impl->ctx) throw ConfigError("out of memory");
  impl->provider.reset(OSSL_PROVIDER_load(impl->ctx.get(), "default"));
  if (!impl->provider)
    throw ConfigError("cannot load OpenSSL's default provider for the admin key");
  // Failures here get our own message; libcrypto's queue entries for them are
  // dropped so the caller's queue is as it was.
  ERR_set_mark();
  ossl::BioPtr bio(BIO_new_file(path.c_str(), "r"));
  int open_errno = errno;
  if (!bio) {
    ERR_pop_to_mark();
    throw ConfigError("cannot read the admin key " + path + ": " + std::strerror(open_errno) +
                      kWhereFrom);
  }
  impl->key.reset(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, no_passphrase, nullptr,
                                             impl->ctx.get(), nullptr));
  ERR_pop_to_mark();
  if (!impl->key)
    throw ConfigError("the admin key " + path +
                      " is not an unencrypted PEM private key (PKCS#8 or SEC1 EC key)" +
                      kWhereFrom);
  char group[32] = {};
  size_t len = 0;
  if (!EVP_PKEY_is_a(impl->key.get(), "EC") ||
      !EVP_PKEY_get_utf8_string_param(impl->key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                      sizeof group, &len) ||
      std::string(group) != "prime256v1")
    throw ConfigError("the admin key " + path + " is not an EC P-256 private key" + kWhereFrom);
  return AdminKey(std::move(impl));
}

Bytes AdminKey::sign_challenge(ByteView challenge) const {
  ossl::MdCtxPtr md(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!md ||
      EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", impl_->ctx.get(), nullptr,
                            impl_->key.get(), nullptr) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &der_len, challenge.data(), challenge.size()) != 1)
    throw Error("cannot sign the chip's challenge with the admin key");
  Bytes der(der_len);
  if (EVP_DigestSign(md.get(), der.data(), &der_len, challenge.data(), challenge.size()) != 1)
    throw Error("cannot sign the chip's challenge with the admin key");
  const unsigned char* p = der.data();
  ossl::EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  Bytes raw(64);
  if (!sig || BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw.data(), 32) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw.data() + 32, 32) < 0)
    throw Error("cannot encode the admin signature");
  return raw;
}

Bytes AdminKey::public_xy() const {
  Bytes point(65);
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(impl_->key.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size(), &len) ||
      len != 65)
    throw Error("cannot read the admin public key");
  return Bytes(point.begin() + 1, point.end());
}

}  // namespace maxq::transport
