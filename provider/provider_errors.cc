#include "provider/provider_errors.h"

#include <cstdarg>

#include "provider/provider_context.h"
#include "simulator/chip.h"
#include "transport/errors.h"

namespace maxq::provider {

const OSSL_ITEM* reason_strings() {
  static const OSSL_ITEM items[] = {
      {kReasonDeviceUnavailable, const_cast<char*>("MAXQ1061 device unavailable")},
      {kReasonChipRefused, const_cast<char*>("MAXQ1061 refused the command")},
      {kReasonBusError, const_cast<char*>("MAXQ1061 communication error")},
      {kReasonConfig, const_cast<char*>("MAXQ1061 provider configuration error")},
      {kReasonKeyNotOnThisChip, const_cast<char*>("key belongs to another MAXQ1061")},
      {kReasonPrivateKeyNotExportable, const_cast<char*>("private key stays on the MAXQ1061")},
      {kReasonUnsupportedCurve, const_cast<char*>("curve not supported by the MAXQ1061")},
      {kReasonBadUri, const_cast<char*>("malformed maxq1061: URI")},
      {kReasonBadKeyReference, const_cast<char*>("malformed MAXQ1061 key reference")},
      {kReasonInvalidKey, const_cast<char*>("invalid key")},
      {kReasonInvalidArgument, const_cast<char*>("invalid argument")},
      {kReasonInternal, const_cast<char*>("internal error")},
      {0, nullptr},
  };
  return items;
}

namespace {

void vraise(const ProviderContext* ctx, int reason, const char* fmt, va_list ap) {
  if (!ctx || !ctx->core().new_error || !ctx->core().vset_error) return;
  ctx->core().new_error(ctx->handle());
  if (ctx->core().set_error_debug) ctx->core().set_error_debug(ctx->handle(), nullptr, 0, nullptr);
  ctx->core().vset_error(ctx->handle(), static_cast<uint32_t>(reason), fmt, ap);
}

}  // namespace

void raise_error(const ProviderContext* ctx, int reason, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vraise(ctx, reason, fmt, ap);
  va_end(ap);
}

void raise_exception(const ProviderContext* ctx, const std::exception& e) {
  int reason = kReasonInternal;
  if (dynamic_cast<const transport::ChipError*>(&e)) reason = kReasonChipRefused;
  else if (dynamic_cast<const transport::LinkError*>(&e)) reason = kReasonDeviceUnavailable;
  else if (dynamic_cast<const transport::ProtocolError*>(&e)) reason = kReasonBusError;
  else if (dynamic_cast<const transport::ConfigError*>(&e)) reason = kReasonConfig;
  else if (dynamic_cast<const sim::StateError*>(&e)) reason = kReasonDeviceUnavailable;
  raise_error(ctx, reason, "%s", e.what());
}

}  // namespace maxq::provider
