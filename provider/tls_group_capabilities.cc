#include "provider/tls_group_capabilities.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/prov_ssl.h>

#include <cstring>

namespace maxq::provider {
namespace {

struct TlsGroup {
  const char* iana_name;      // TLS name (RFC 8446)
  const char* internal_name;  // the group-name our key manager answers
  unsigned int iana_id;       // NamedGroup code point
  unsigned int security_bits;
};

constexpr TlsGroup kGroups[] = {
    {"secp256r1", "prime256v1", 23, 128},
    {"secp384r1", "secp384r1", 24, 192},
};

int report(const TlsGroup& g, OSSL_CALLBACK* cb, void* arg) {
  unsigned int id = g.iana_id, secbits = g.security_bits;
  // ECDHE on these curves works from TLS 1.0 and DTLS 1.0 up (0: no maximum).
  int min_tls = TLS1_VERSION, max_tls = 0, min_dtls = DTLS1_VERSION, max_dtls = 0;
  const OSSL_PARAM params[] = {
      OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME, const_cast<char*>(g.iana_name),
                             std::strlen(g.iana_name)),
      OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL,
                             const_cast<char*>(g.internal_name), std::strlen(g.internal_name)),
      OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG, const_cast<char*>("EC"), 2),
      OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_ID, &id),
      OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS, &secbits),
      OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS, &min_tls),
      OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS, &max_tls),
      OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS, &min_dtls),
      OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS, &max_dtls),
      OSSL_PARAM_END,
  };
  return cb(params, arg);
}

}  // namespace

int tls_group_capabilities(const char* capability, OSSL_CALLBACK* cb, void* arg) {
  if (capability == nullptr || std::strcmp(capability, "TLS-GROUP") != 0) return 0;
  for (const TlsGroup& g : kGroups)
    if (!report(g, cb, arg)) return 0;
  return 1;
}

}  // namespace maxq::provider
