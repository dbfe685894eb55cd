#include "provider/provider_context.h"

#include <openssl/crypto.h>
#include <openssl/provider.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "provider/application_signature_check.h"
#include "provider/device_links.h"
#include "transport/device_spec.h"
#include "transport/errors.h"

namespace maxq::provider {

struct ProviderContext::Session {
  pid_t pid = 0;
  std::unique_ptr<transport::Device> device;
  ChipSerial serial{};
  std::optional<transport::CredentialKey> admin_key;
  std::optional<transport::CredentialKey> key_import_key;
  std::shared_ptr<TemporaryKeySlots> slots = TemporaryKeySlots::create();
};

namespace {

std::string hex(const ChipSerial& serial) {
  return to_hex(ByteView(serial));
}

}  // namespace

ProviderContext::ProviderContext(const OSSL_CORE_HANDLE* handle, CoreFunctions core,
                                 ProviderConfig config)
    : handle_(handle), core_(core), config_(std::move(config)) {
  // Nothing else: the software library context (software_context.h) and the
  // device session are made by the first operation that needs them.
}

ProviderContext::~ProviderContext() {
  if (session_ && session_->pid != getpid()) {
    // Forked child: the link belongs to the parent (see session_locked).
    (void)session_.release();
  }
}

void ProviderContext::trace(const char* fmt, ...) const {
  if (!config_.debug) return;
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  // va_start is just above: the analyzer's valist check misreads this.
  std::vsnprintf(line, sizeof line, fmt, ap);  // NOLINT(clang-analyzer-valist.Uninitialized)
  va_end(ap);
  std::fprintf(stderr, "maxq1061[%d]: %s\n", static_cast<int>(getpid()), line);
}

std::optional<OSSL_LIB_CTX*> ProviderContext::application_libctx() const {
  if (core_.get_libctx == nullptr) return std::nullopt;
  // OPENSSL_CORE_CTX is the core's opaque name for its OSSL_LIB_CTX.
  return reinterpret_cast<OSSL_LIB_CTX*>(core_.get_libctx(handle_));
}

std::unique_ptr<ProviderContext::Session> ProviderContext::open_session() {
  if (!config_.error.empty()) throw transport::ConfigError(config_.error);
  // Fail closed: no device configured is an error, never a simulated chip
  // made behind the user's back.
  if (config_.device.empty()) throw transport::ConfigError(kNoDeviceMessage);
  // The links of this build (device_links.h); a simulated chip in a build
  // without the simulator is refused here, naming what to use instead.
  const transport::LinkRegistry links = device_links();
  transport::DeviceSpec spec = links.parse(config_.device);
  auto s = std::make_unique<Session>();
  s->pid = getpid();
  transport::DeviceOptions options;
  options.verify_signatures = config_.verify_signatures;
  // Checks in the application's context when its default provider serves,
  // decided at the first check, not here (no fetch before a chip operation needs one).
  options.make_signature_verifier = [app = application_libctx()] {
    return make_signature_verifier(app);
  };
  s->device = std::make_unique<transport::Device>(links.open(spec), options);
  s->serial = s->device->status().serial;
  trace("opened %s, chip serial %s", s->device->describe().c_str(), hex(s->serial).c_str());
  // Said plainly: keys in a file are no secure element.
  if (!spec.simulated_note.empty()) trace("%s", spec.simulated_note.c_str());
  return s;
}

ProviderContext::Session& ProviderContext::session_locked() {
  pid_t pid = getpid();
  if (session_ && session_->pid == pid) return *session_;
  if (session_) {
    // A forked child shares the parent's descriptors (USB handle, socket, lock
    // file): closing them here could disturb the parent, so the parent's session
    // is abandoned, not destroyed, and the child opens its own.
    trace("forked from process %d: opening a new device session", static_cast<int>(session_->pid));
    (void)session_.release();
  }
  session_ = open_session();
  return *session_;
}

transport::Device& ProviderContext::device() {
  std::lock_guard<ProcessMutex> lock(mutex_);
  return *session_locked().device;
}

ChipSerial ProviderContext::chip_serial() {
  std::lock_guard<ProcessMutex> lock(mutex_);
  return session_locked().serial;
}

const transport::CredentialKey& ProviderContext::credential(transport::CredentialKey::Kind kind) {
  using Kind = transport::CredentialKey::Kind;
  std::lock_guard<ProcessMutex> lock(mutex_);
  Session& s = session_locked();
  std::optional<transport::CredentialKey>& slot =
      kind == Kind::Admin ? s.admin_key : s.key_import_key;
  if (slot) return *slot;
  const std::string& path = kind == Kind::Admin ? config_.admin_key : config_.key_import_key;
  if (path.empty())
    throw transport::ConfigError(
        kind == Kind::Admin
            ? "creating or deleting objects on the MAXQ1061 needs its admin key (object "
              "0x1001): set admin-key in the maxq1061 provider's config section or the "
              "environment variable MAXQ1061_ADMIN_KEY"
            : "generating or importing a key on the MAXQ1061 needs its key-import key (object "
              "0x1000): set key-import-key in the maxq1061 provider's config section or the "
              "environment variable MAXQ1061_KEY_IMPORT_KEY");
  slot.emplace(transport::CredentialKey::load(path, kind));
  trace("loaded the %s %s", transport::CredentialKey::describe(kind).c_str(), path.c_str());
  return *slot;
}

std::shared_ptr<TemporaryKeySlots::Lease> ProviderContext::lease_temporary_slot(wire::Curve curve) {
  std::shared_ptr<TemporaryKeySlots> slots;
  transport::Device* device = nullptr;
  {
    std::lock_guard<ProcessMutex> lock(mutex_);
    Session& s = session_locked();
    slots = s.slots;
    device = s.device.get();
  }
  return slots->acquire(*device, curve);
}

}  // namespace maxq::provider
