#include "provider/provider_context.h"

#include <openssl/crypto.h>
#include <openssl/provider.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <optional>

#include "simulator/chip.h"
#include "transport/admin_key.h"
#include "transport/device_spec.h"

namespace maxq::provider {

// MODELLED: ids of the temporary key-pair slots used for ephemeral keys.
inline constexpr uint16_t kFirstTemporarySlot = 0xFF00;

struct TemporarySlot {
  wire::Curve curve;
  bool in_use = false;
};

struct ProviderContext::Session {
  pid_t pid = 0;
  std::unique_ptr<transport::Device> device;
  ChipSerial serial{};
  bool admin = false;
  std::map<uint16_t, TemporarySlot> slots;
};

ProviderContext::ProviderContext(const OSSL_CORE_HANDLE* handle, CoreFunctions core,
                                 ProviderConfig config)
    : handle_(handle), core_(core), config_(std::move(config)) {}

ProviderContext::~ProviderContext() {
  session_.reset();
  if (software_default_) OSSL_PROVIDER_unload(software_default_);
  if (software_libctx_) OSSL_LIB_CTX_free(software_libctx_);
}

OSSL_LIB_CTX* ProviderContext::software_libctx() {
  std::call_once(software_once_, [this] {
    software_libctx_ = OSSL_LIB_CTX_new();
    if (software_libctx_) software_default_ = OSSL_PROVIDER_load(software_libctx_, "default");
  });
  if (!software_default_) throw transport::Error("cannot load OpenSSL's default provider for software key work");
  return software_libctx_;
}

void ProviderContext::trace(const char* fmt, ...) const {
  if (!config_.debug) return;
  va_list ap;
  va_start(ap, fmt);
  std::fputs("maxq1061: ", stderr);
  std::vfprintf(stderr, fmt, ap);
  std::fputc('\n', stderr);
  va_end(ap);
}

ProviderContext::Session& ProviderContext::session_locked() {
  pid_t pid = getpid();
  if (session_ && session_->pid == pid) return *session_;
  if (session_ && session_->pid != pid) {
    // Forked child: the parent's session (and its link) is not ours to use.
    trace("process %d forked from %d: reopening the device", static_cast<int>(pid),
          static_cast<int>(session_->pid));
    (void)session_.release();  // the parent still owns its resources; never close them here
  }
  transport::DeviceSpec spec = transport::DeviceSpec::parse(config_.device);
  if (config_.default_device && spec.kind == transport::DeviceSpec::Kind::Sim &&
      access(spec.target.c_str(), F_OK) != 0) {
    trace("provisioning a new simulated chip at %s", spec.target.c_str());
    sim::Chip::provision(spec.target, spec.target + ".admin.pem");
  }
  auto s = std::make_unique<Session>();
  s->pid = pid;
  s->device = std::make_unique<transport::Device>(transport::open_link(spec));
  s->serial = s->device->status().serial;
  trace("opened %s", s->device->describe().c_str());
  session_ = std::move(s);
  return *session_;
}

transport::Device& ProviderContext::device() {
  std::lock_guard<std::mutex> lock(mutex_);
  return *session_locked().device;
}

ChipSerial ProviderContext::chip_serial() {
  std::lock_guard<std::mutex> lock(mutex_);
  return session_locked().serial;
}

void ProviderContext::ensure_admin() {
  std::lock_guard<std::mutex> lock(mutex_);
  Session& s = session_locked();
  if (s.admin) return;
  std::string path = config_.admin_key;
  if (path.empty())
    throw transport::ConfigError(
        "creating or deleting objects on the chip needs the admin key: set admin-key in the "
        "maxq1061 provider's config section or MAXQ1061_ADMIN_KEY");
  transport::AdminKey key = transport::AdminKey::load(path);
  s.device->authenticate(key);
  s.admin = true;
}

uint16_t ProviderContext::acquire_temporary_slot(wire::Curve curve) {
  std::lock_guard<std::mutex> lock(mutex_);
  Session& s = session_locked();
  for (auto& [id, slot] : s.slots) {
    if (!slot.in_use && slot.curve == curve) {
      slot.in_use = true;
      return id;
    }
  }
  std::optional<uint16_t> fresh;
  for (uint16_t i = 0; i < wire::kTemporarySlots && !fresh; ++i)
    if (!s.slots.count(kFirstTemporarySlot + i)) fresh = kFirstTemporarySlot + i;
  if (!fresh) {
    // Recycle a free slot sized for another curve.
    for (auto it = s.slots.begin(); it != s.slots.end(); ++it) {
      if (!it->second.in_use) {
        s.device->delete_object(it->first);
        fresh = it->first;
        s.slots.erase(it);
        break;
      }
    }
  }
  if (!fresh)
    throw transport::Error("all " + std::to_string(wire::kTemporarySlots) +
                           " temporary key slots of the chip are in use by ephemeral keys");
  s.device->create_object(transport::ObjectSpec::temporary_key_pair(*fresh, curve));
  s.slots[*fresh] = TemporarySlot{curve, true};
  return *fresh;
}

void ProviderContext::release_temporary_slot(uint16_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!session_ || session_->pid != getpid()) return;
  auto it = session_->slots.find(id);
  if (it != session_->slots.end()) it->second.in_use = false;
}

}  // namespace maxq::provider
