// The admin private key (a PEM file on the host) that signs the chip's
// challenge for admin authenticate. Loaded with libcrypto in this layer's own
// library context, never the application's.
#pragma once

#include <memory>
#include <string>

#include "wire/bytes.h"

namespace maxq::transport {

class AdminKey {
 public:
  // Throws ConfigError naming the file (missing, unreadable, not an EC P-256
  // private key) and saying where the key comes from.
  static AdminKey load(const std::string& pem_path);
  AdminKey(AdminKey&&) noexcept;
  AdminKey& operator=(AdminKey&&) noexcept;
  ~AdminKey();

  // ECDSA-SHA-256 over `challenge`, raw r || s (64 bytes).
  Bytes sign_challenge(ByteView challenge) const;
  // Uncompressed X || Y of the public key.
  Bytes public_xy() const;

 private:
  struct Impl;
  explicit AdminKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace maxq::transport
