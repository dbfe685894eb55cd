// The two host-side credentials of a MAXQ1061 (PEM files of P-256 private
// keys): the admin key, whose public half is object 0x1001 and which signs the
// 16-byte challenge of admin authenticate, and the key-import key, whose
// public half is object 0x1000 and which signs every key descriptor and
// certificate the chip is asked to take (import key / import root
// certificate). Loaded with libcrypto in this layer's own library context,
// never the application's.
#pragma once

#include <memory>
#include <string>

#include "wire/bytes.h"

namespace maxq::transport {

class CredentialKey {
 public:
  enum class Kind { Admin, KeyImport };

  // Throws ConfigError naming the file (missing, unreadable, not an EC P-256
  // private key) and the setting it comes from.
  static CredentialKey load(const std::string& pem_path, Kind kind);
  CredentialKey(CredentialKey&&) noexcept;
  CredentialKey& operator=(CredentialKey&&) noexcept;
  ~CredentialKey();

  // ECDSA-SHA-256 over `message`, raw r || s (64 bytes): the chip hashes the
  // challenge / the request body and verifies with its copy of the public key.
  Bytes sign(ByteView message) const;
  // Uncompressed X || Y of the public key.
  Bytes public_xy() const;
  Kind kind() const;
  const std::string& path() const;

  // "admin key (admin-key / MAXQ1061_ADMIN_KEY)" and the like, for messages.
  static std::string describe(Kind kind);

 private:
  struct Impl;
  explicit CredentialKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace maxq::transport
