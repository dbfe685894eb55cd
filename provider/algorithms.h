// The dispatch tables of every operation the provider implements, gathered in
// one place for query_operation (provider_main.cc).
#pragma once

#include <openssl/core.h>

namespace maxq::provider {

extern const OSSL_DISPATCH ec_keymgmt_functions[];
extern const OSSL_DISPATCH ecdsa_signature_functions[];
extern const OSSL_DISPATCH ecdh_keyexch_functions[];
extern const OSSL_DISPATCH trng_rand_functions[];
extern const OSSL_DISPATCH uri_store_functions[];
extern const OSSL_DISPATCH key_reference_encoder_pem_functions[];
extern const OSSL_DISPATCH key_reference_encoder_der_functions[];
extern const OSSL_DISPATCH pkcs8_refusal_encoder_functions[];
extern const OSSL_DISPATCH spki_encoder_pem_functions[];
extern const OSSL_DISPATCH spki_encoder_der_functions[];
extern const OSSL_DISPATCH text_encoder_functions[];
extern const OSSL_DISPATCH key_reference_pem_decoder_functions[];
extern const OSSL_DISPATCH key_reference_decoder_functions[];
extern const OSSL_DISPATCH key_reference_private_decoder_functions[];
extern const OSSL_DISPATCH key_reference_name_keymgmt_functions[];

// The name of the key-reference decoder's second step and of the key manager
// that exists only to give it that name (key_reference_decoder.cc says why).
constexpr const char* kKeyReferenceName = "MAXQ1061-KEY-REFERENCE";

// The operations the EC key manager names for its keys (ec_keymgmt.cc says
// why): the ECDSA and ECDH of this provider, registered under these names as
// well as under "ECDSA" and "ECDH".
constexpr const char* kEcdsaOperationName = "MAXQ1061-ECDSA";
constexpr const char* kEcdhOperationName = "MAXQ1061-ECDH";

}  // namespace maxq::provider
