#include "provider/tls_group_capabilities.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::provider {
namespace {

// A TLS group of the default provider on one of the chip's curves, copied.
struct Group {
  ossl::ParamsPtr params;  // OSSL_PARAM_dup of the default provider's entry
  std::string tls_name;
  std::string internal_name;  // the curve ("prime256v1")
};

const char* utf8(const OSSL_PARAM params[], const char* key) {
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, key);
  const char* value = nullptr;
  return p != nullptr && OSSL_PARAM_get_utf8_string_ptr(p, &value) ? value : nullptr;
}

int collect_chip_group(const OSSL_PARAM params[], void* data) {
  auto* groups = static_cast<std::vector<Group>*>(data);
  const char* name = utf8(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
  const char* internal = utf8(params, OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL);
  const char* algorithm = utf8(params, OSSL_CAPABILITY_TLS_GROUP_ALG);
  if (name == nullptr || internal == nullptr || algorithm == nullptr ||
      std::strcmp(algorithm, "EC") != 0 || !wire::curve_by_name(internal))
    return 1;  // X25519, FFDHE, KEMs...: not this provider's
  ossl::ParamsPtr copy(OSSL_PARAM_dup(params));
  if (!copy) return 0;
  groups->push_back(Group{std::move(copy), name, internal});
  return 1;
}

// Reports `g` under `tls_name` with the key-share internal name.
int report(const Group& g, const std::string& tls_name, OSSL_CALLBACK* cb, void* arg) {
  std::string internal = std::string(kTlsKeyShareGroupPrefix) + g.internal_name;
  std::vector<OSSL_PARAM> params;
  for (const OSSL_PARAM* p = g.params.get(); p->key != nullptr; ++p) {
    OSSL_PARAM q = *p;
    if (std::strcmp(p->key, OSSL_CAPABILITY_TLS_GROUP_NAME) == 0)
      q = OSSL_PARAM_construct_utf8_string(p->key, const_cast<char*>(tls_name.c_str()),
                                           tls_name.size());
    else if (std::strcmp(p->key, OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL) == 0)
      q = OSSL_PARAM_construct_utf8_string(p->key, internal.data(), internal.size());
    params.push_back(q);
  }
  params.push_back(OSSL_PARAM_construct_end());
  return cb(params.data(), arg);
}

}  // namespace

int tls_group_capabilities(OSSL_LIB_CTX* software_libctx, const char* capability, OSSL_CALLBACK* cb,
                           void* arg) {
  if (capability == nullptr || std::strcmp(capability, "TLS-GROUP") != 0) return 0;
  // The software context holds the default provider already; this takes one
  // more reference for the duration of the call.
  ossl::ProviderPtr def(OSSL_PROVIDER_load(software_libctx, "default"));
  std::vector<Group> groups;
  if (!def || !OSSL_PROVIDER_get_capabilities(def.get(), "TLS-GROUP", collect_chip_group, &groups))
    return 0;
  for (const Group& g : groups)
    if (!report(g, g.tls_name, cb, arg)) return 0;
  // libssl also matches a `Groups` entry against the internal name
  // ("prime256v1"), which the key-share names replace: offered as one more
  // alias, once per curve, where no group of that name exists.
  std::vector<std::string> added;
  for (const Group& g : groups) {
    bool named = std::any_of(groups.begin(), groups.end(),
                             [&](const Group& o) { return o.tls_name == g.internal_name; });
    if (named || std::count(added.begin(), added.end(), g.internal_name) != 0) continue;
    added.push_back(g.internal_name);
    if (!report(g, g.internal_name, cb, arg)) return 0;
  }
  return 1;
}

}  // namespace maxq::provider
