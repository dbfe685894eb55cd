// The provider's errors on OpenSSL's error queue: reason codes with their
// strings, raising through the core's error upcalls, and the mapping from the
// transport layer's exceptions. Every OSSL_DISPATCH callback catches all
// exceptions (guarded() below) so that none ever crosses into OpenSSL.
#pragma once

#include <openssl/core.h>

#include <exception>
#include <new>

namespace maxq::provider {

class ProviderContext;

// Reason codes of the library "maxq1061" (strings in provider_errors.cc). They
// start at 100 so they are never mistaken for OpenSSL's ERR_R_* library codes.
enum Reason : int {
  kReasonDeviceUnavailable = 100,  // cannot open or reach the device, state file unusable
  kReasonChipRefused,              // the chip answered a command with an error status
  kReasonBusError,                 // damaged or malformed frames after the retries
  kReasonConfig,                   // bad provider configuration, admin key missing
  kReasonKeyNotOnThisChip,         // key reference names another chip (serial)
  kReasonPrivateKeyNotExportable,  // asked to export a private key held by the chip
  kReasonUnsupportedCurve,         // curve the chip (or this provider) does not do
  kReasonBadUri,                   // malformed maxq1061: URI
  kReasonBadKeyReference,          // malformed key-reference file
  kReasonInvalidKey,               // key missing, incomplete or not usable here
  kReasonInvalidArgument,          // bad parameter, buffer too small
  kReasonInternal,                 // out of memory, unexpected exception
  kReasonObjectNotFound,           // chip status "not found"
  kReasonAccessDenied,             // chip refused for lack of a role (admin) or rule
  kReasonChipFull,                 // chip storage or temporary slots exhausted
  kReasonEphemeralKey,             // a temporary (ephemeral) key cannot be saved
  kReasonKeyMismatch,              // the chip object holds another key than the reference
};

// OSSL_ITEM table for OSSL_FUNC_PROVIDER_GET_REASON_STRINGS.
const OSSL_ITEM* reason_strings();

// Puts an error with `reason` and a printf-style message on the calling
// thread's error queue. A null ctx (no core upcalls yet) raises nothing.
void raise_error(const ProviderContext* ctx, int reason, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Maps transport::ChipError (by status word) / LinkError / ConfigError /
// ProtocolError, std::bad_alloc and anything else to a reason,
// carrying the exception's message.
void raise_exception(const ProviderContext* ctx, const std::exception& e);

// Runs `body` and returns its result; any exception is raised on the error
// queue and `on_error` returned instead. For every OSSL_DISPATCH callback:
//   return guarded(ctx, 0, [&] { ...; return 1; });
template <typename R, typename Body>
R guarded(const ProviderContext* ctx, R on_error, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    raise_exception(ctx, e);
  } catch (...) {
    raise_error(ctx, kReasonInternal, "unexpected exception in the maxq1061 provider");
  }
  return on_error;
}

}  // namespace maxq::provider
