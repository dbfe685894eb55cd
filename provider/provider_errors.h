// The provider's errors on OpenSSL's error queue: reason codes, their strings,
// and the mapping from transport exceptions.
#pragma once

#include <openssl/core.h>

#include <exception>

namespace maxq::provider {

class ProviderContext;

enum Reason : int {
  kReasonDeviceUnavailable = 1,  // cannot open/reach the device
  kReasonChipRefused,            // the chip answered with an error status
  kReasonBusError,               // damaged frames after retries
  kReasonConfig,                 // bad config, admin key missing
  kReasonKeyNotOnThisChip,       // key reference names another chip
  kReasonPrivateKeyNotExportable,
  kReasonUnsupportedCurve,
  kReasonBadUri,
  kReasonBadKeyReference,
  kReasonInvalidKey,
  kReasonInvalidArgument,
  kReasonInternal,
};

// OSSL_ITEM table for OSSL_FUNC_PROVIDER_GET_REASON_STRINGS.
const OSSL_ITEM* reason_strings();

void raise_error(const ProviderContext* ctx, int reason, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));
// Maps transport::ChipError / LinkError / ConfigError / ProtocolError and
// anything else to a reason, carrying the exception's message.
void raise_exception(const ProviderContext* ctx, const std::exception& e);

}  // namespace maxq::provider
