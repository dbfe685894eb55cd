#include "provider/tls_group_capabilities.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/prov_ssl.h>

#include <cstring>

namespace maxq::provider {
namespace {

struct TlsGroup {
  const char* name;           // IANA name
  const char* internal_name;  // OpenSSL group name
  unsigned int id;            // IANA NamedGroup
  unsigned int security_bits;
};

constexpr TlsGroup kGroups[] = {
    {"secp256r1", "prime256v1", 23, 128},
    {"secp384r1", "secp384r1", 24, 192},
};

}  // namespace

int tls_group_capabilities(const char* capability, OSSL_CALLBACK* cb, void* arg) {
  if (std::strcmp(capability, "TLS-GROUP") != 0) return 0;
  for (const TlsGroup& g : kGroups) {
    unsigned int id = g.id, secbits = g.security_bits;
    int min_tls = TLS1_VERSION, max_tls = 0, min_dtls = DTLS1_VERSION, max_dtls = 0;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME, const_cast<char*>(g.name), std::strlen(g.name)),
        OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL, const_cast<char*>(g.internal_name),
                               std::strlen(g.internal_name)),
        OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG, const_cast<char*>("EC"), 2),
        OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_ID, &id),
        OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS, &secbits),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS, &min_tls),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS, &max_tls),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS, &min_dtls),
        OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS, &max_dtls),
        OSSL_PARAM_END,
    };
    if (!cb(params, arg)) return 0;
  }
  return 1;
}

}  // namespace maxq::provider
