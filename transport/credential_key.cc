#include "transport/credential_key.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "transport/errors.h"
#include "wire/ec_codec.h"
#include "wire/openssl_handles.h"
#include "wire/software_libctx.h"

namespace maxq::transport {
namespace {

// The admin key file is read unattended (inside a provider, a server): an
// encrypted key must fail, not prompt on the terminal.
int no_passphrase(char*, int, int, void*) {
  return -1;
}

std::string where_from(CredentialKey::Kind kind) {
  if (kind == CredentialKey::Kind::Admin)
    return ". Set admin-key in the provider's config section or MAXQ1061_ADMIN_KEY to the PEM "
           "file of the chip's admin key (object 0x1001; a simulated chip keeps it beside its "
           "state file as PATH.admin.pem)";
  return ". Set key-import-key in the provider's config section or MAXQ1061_KEY_IMPORT_KEY to "
         "the PEM file of the chip's key-import key (object 0x1000; a simulated chip keeps it "
         "beside its state file as PATH.key-import.pem)";
}

}  // namespace

struct CredentialKey::Impl {
  Kind kind = Kind::Admin;
  std::string path;
  // The process's software context (default provider only, never the
  // application's: wire/software_libctx.h), held while the key lives in it.
  ossl::SharedLibCtx ctx;
  ossl::PkeyPtr key;
  ~Impl() { key.reset(); }  // before its context
};

CredentialKey::CredentialKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CredentialKey::CredentialKey(CredentialKey&&) noexcept = default;
CredentialKey& CredentialKey::operator=(CredentialKey&&) noexcept = default;
CredentialKey::~CredentialKey() = default;

std::string CredentialKey::describe(Kind kind) {
  return kind == Kind::Admin ? "admin key" : "key-import key";
}

CredentialKey::Kind CredentialKey::kind() const {
  return impl_->kind;
}
const std::string& CredentialKey::path() const {
  return impl_->path;
}

CredentialKey CredentialKey::load(const std::string& path, Kind kind) {
  auto impl = std::make_unique<Impl>();
  impl->kind = kind;
  impl->path = path;
  const std::string name = describe(kind);
  try {
    impl->ctx = ossl::software_libctx();
  } catch (const std::runtime_error& e) {
    throw ConfigError(std::string(e.what()) + " for the " + name);
  }
  // Failures here get our own message; libcrypto's queue entries for them are
  // dropped so the caller's queue is as it was.
  {
    ossl::ErrorQueueMark mark;
    ossl::BioPtr bio(BIO_new_file(path.c_str(), "r"));
    int open_errno = errno;
    if (!bio)
      throw ConfigError("cannot read the " + name + " " + path + ": " + std::strerror(open_errno) +
                        where_from(kind));
    impl->key.reset(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, no_passphrase, nullptr,
                                               impl->ctx.get(), nullptr));
  }
  if (!impl->key)
    throw ConfigError("the " + name + " " + path +
                      " is not an unencrypted PEM private key (PKCS#8 or SEC1 EC key)" +
                      where_from(kind));
  char group[32] = {};
  size_t len = 0;
  if (!EVP_PKEY_is_a(impl->key.get(), "EC") ||
      !EVP_PKEY_get_utf8_string_param(impl->key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                      sizeof group, &len) ||
      std::string(group) != "prime256v1")
    throw ConfigError("the " + name + " " + path + " is not an EC P-256 private key" +
                      where_from(kind));
  return CredentialKey(std::move(impl));
}

Bytes CredentialKey::sign(ByteView challenge) const {
  ossl::MdCtxPtr md(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!md ||
      EVP_DigestSignInit_ex(md.get(), nullptr, "SHA256", impl_->ctx.get(), nullptr,
                            impl_->key.get(), nullptr) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &der_len, challenge.data(), challenge.size()) != 1)
    throw Error("cannot sign with the " + describe(impl_->kind));
  Bytes der(der_len);
  if (EVP_DigestSign(md.get(), der.data(), &der_len, challenge.data(), challenge.size()) != 1)
    throw Error("cannot sign with the " + describe(impl_->kind));
  std::optional<Bytes> raw = wire::ecdsa_raw_from_der(ByteView(der.data(), der_len), 32);
  if (!raw) throw Error("cannot encode the signature of the " + describe(impl_->kind));
  return *raw;
}

Bytes CredentialKey::public_xy() const {
  Bytes xy = wire::ec_public_xy(impl_->key.get(), *wire::curve_info(wire::Curve::P256));
  if (xy.empty()) throw Error("cannot read the public half of the " + describe(impl_->kind));
  return xy;
}

}  // namespace maxq::transport
