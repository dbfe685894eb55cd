#include "provider/provider_errors.h"

#include <cstdarg>

#include "provider/provider_context.h"
#include "transport/errors.h"
#include "wire/bytes.h"

namespace maxq::provider {
namespace {

// OSSL_ITEM wants a non-const char*; OpenSSL never writes through it.
#define REASON(code, text) \
  { static_cast<unsigned int>(code), const_cast<char*>(text) }
const OSSL_ITEM kReasonStrings[] = {
    REASON(kReasonDeviceUnavailable, "MAXQ1061 device unavailable"),
    REASON(kReasonChipRefused, "MAXQ1061 refused the command"),
    REASON(kReasonBusError, "MAXQ1061 communication error"),
    REASON(kReasonConfig, "maxq1061 provider configuration error"),
    REASON(kReasonKeyNotOnThisChip, "key belongs to another MAXQ1061"),
    REASON(kReasonPrivateKeyNotExportable, "private key stays on the MAXQ1061"),
    REASON(kReasonUnsupportedCurve, "curve not supported by the MAXQ1061"),
    REASON(kReasonBadUri, "malformed maxq1061: URI"),
    REASON(kReasonBadKeyReference, "malformed MAXQ1061 key reference"),
    REASON(kReasonInvalidKey, "invalid key"),
    REASON(kReasonInvalidArgument, "invalid argument"),
    REASON(kReasonInternal, "internal error"),
    REASON(kReasonObjectNotFound, "object not found on the MAXQ1061"),
    REASON(kReasonAccessDenied, "MAXQ1061 access denied"),
    REASON(kReasonChipFull, "MAXQ1061 storage or temporary slots full"),
    REASON(kReasonEphemeralKey, "ephemeral MAXQ1061 key cannot be saved"),
    REASON(kReasonKeyMismatch, "MAXQ1061 object holds another key than the reference"),
    {0, nullptr},
};
#undef REASON

void vraise(const ProviderContext* ctx, int reason, const char* fmt, va_list ap) {
  if (ctx == nullptr) return;
  const CoreFunctions& core = ctx->core();
  if (core.new_error == nullptr || core.vset_error == nullptr) return;
  core.new_error(ctx->handle());
  if (core.set_error_debug != nullptr) core.set_error_debug(ctx->handle(), nullptr, 0, nullptr);
  core.vset_error(ctx->handle(), static_cast<uint32_t>(reason), fmt, ap);
}

int reason_for_status(uint16_t status) {
  switch (static_cast<wire::Status>(status)) {
    case wire::Status::NotFound:
      return kReasonObjectNotFound;
    case wire::Status::AccessDenied:
    case wire::Status::SecurityCondition:
      return kReasonAccessDenied;
    case wire::Status::MemoryFull:
    case wire::Status::NoTemporarySlot:
      return kReasonChipFull;
    case wire::Status::CurveNotSupported:
      return kReasonUnsupportedCurve;
    case wire::Status::FrameError:
      return kReasonBusError;
    default:
      return kReasonChipRefused;
  }
}

int reason_for(const std::exception& e) {
  if (auto* chip = dynamic_cast<const transport::ChipError*>(&e))
    return reason_for_status(chip->status());
  if (dynamic_cast<const transport::LinkError*>(&e)) return kReasonDeviceUnavailable;
  if (dynamic_cast<const transport::ProtocolError*>(&e)) return kReasonBusError;
  if (dynamic_cast<const MalformedPayload*>(&e)) return kReasonBusError;
  if (dynamic_cast<const transport::ConfigError*>(&e)) return kReasonConfig;
  if (dynamic_cast<const transport::KeyMismatchError*>(&e)) return kReasonKeyMismatch;
  return kReasonInternal;
}

}  // namespace

const OSSL_ITEM* reason_strings() {
  return kReasonStrings;
}

void raise_error(const ProviderContext* ctx, int reason, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vraise(ctx, reason, fmt, ap);
  va_end(ap);
}

void raise_exception(const ProviderContext* ctx, const std::exception& e) {
  if (dynamic_cast<const std::bad_alloc*>(&e)) {
    raise_error(ctx, kReasonInternal, "out of memory");
    return;
  }
  raise_error(ctx, reason_for(e), "%s", e.what());
}

}  // namespace maxq::provider
