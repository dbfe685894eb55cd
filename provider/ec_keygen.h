// Key generation callbacks of the EC key manager (ec_keygen.cc), gathered into
// its dispatch table in ec_keymgmt.cc.
#pragma once

#include <openssl/core_dispatch.h>

namespace maxq::provider {

OSSL_FUNC_keymgmt_gen_init_fn ec_gen_init;
OSSL_FUNC_keymgmt_gen_set_template_fn ec_gen_set_template;
OSSL_FUNC_keymgmt_gen_set_params_fn ec_gen_set_params;
OSSL_FUNC_keymgmt_gen_settable_params_fn ec_gen_settable_params;
OSSL_FUNC_keymgmt_gen_fn ec_gen;
OSSL_FUNC_keymgmt_gen_cleanup_fn ec_gen_cleanup;

}  // namespace maxq::provider
