// The provider's library context for public-key work in software (verification,
// digests, peer keys, software key pairs): OpenSSL's default provider only, so
// nothing fetched there can call back into this provider. Made at the first
// operation that needs it, not when the provider is loaded: a process that
// loads the provider through openssl.cnf and never uses it (`openssl version`)
// pays nothing for it (issue 16).
#pragma once

#include <openssl/types.h>

#include <atomic>
#include <memory>

#include "provider/curve_groups.h"
#include "wire/software_libctx.h"

namespace maxq::provider {

class SoftwareContext {
 public:
  // Takes the process's software library context (wire/software_libctx.h).
  // Throws std::runtime_error when OpenSSL cannot make it.
  SoftwareContext();
  SoftwareContext(const SoftwareContext&) = delete;
  SoftwareContext& operator=(const SoftwareContext&) = delete;

  OSSL_LIB_CTX* libctx() const { return libctx_.get(); }
  CurveGroups& curve_groups() { return *curve_groups_; }

 private:
  ossl::SharedLibCtx libctx_;
  std::unique_ptr<CurveGroups> curve_groups_;  // freed first: its groups are in libctx_
};

// A SoftwareContext made at first get(), once per provider context: threads
// that race each make one, the first to publish it wins and the others free
// theirs (the process-wide library context under it is made under a short
// mutex, wire/software_libctx.cc). A context made before a fork() is inherited
// and used by the child (its DRBGs reseed after a fork by themselves), one
// made after it is the child's own.
class LazySoftwareContext {
 public:
  LazySoftwareContext() = default;
  ~LazySoftwareContext() { delete made_.load(std::memory_order_acquire); }
  LazySoftwareContext(const LazySoftwareContext&) = delete;
  LazySoftwareContext& operator=(const LazySoftwareContext&) = delete;

  // Throws as SoftwareContext() does; a later call tries again.
  SoftwareContext& get();
  bool made() const { return made_.load(std::memory_order_acquire) != nullptr; }

 private:
  std::atomic<SoftwareContext*> made_{nullptr};
};

}  // namespace maxq::provider
