#include "simulator/chip.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "simulator/chip_core.h"
#include "simulator/sim_crypto.h"

namespace maxq::sim {

// The SPI receiver/transmitter: one command per chip-select window.
class Chip::SpiState {
 public:
  enum class Phase { Deselected, Receiving, Responding, Done };
  Phase phase = Phase::Deselected;
  Bytes rx;        // command bytes received in this window
  size_t expected = 0;  // total frame size once the header is in
  Bytes tx;        // response frame being clocked out
  size_t tx_pos = 0;
  uint32_t busy = 0;

  void reset() {
    phase = Phase::Deselected;
    rx.clear();
    expected = 0;
    if (!tx.empty()) secure_zero(tx.data(), tx.size());  // may hold an ECDH secret
    tx.clear();
    tx_pos = 0;
    busy = 0;
  }
};

Chip::Chip(std::unique_ptr<ChipCore> core) : core_(std::move(core)), spi_(std::make_unique<SpiState>()) {}
Chip::~Chip() { spi_->reset(); }

std::unique_ptr<Chip> Chip::open(const std::string& state_path) {
  auto state = StateFile::open(state_path);
  auto counters = Counters::open_shared(state_path + ".counters");
  return std::unique_ptr<Chip>(new Chip(std::make_unique<ChipCore>(std::move(state), std::move(counters))));
}

void Chip::select() {
  spi_->reset();
  spi_->phase = SpiState::Phase::Receiving;
  core_->counters().add_select();
}

void Chip::deselect() { spi_->reset(); }

uint8_t Chip::clock(uint8_t mosi_in) {
  SpiState& s = *spi_;
  FaultInjector& f = core_->faults();
  bool mosi_dropped = false;
  uint8_t mosi = f.on_mosi(mosi_in, mosi_dropped);
  uint8_t miso = wire::kIdleByte;
  switch (s.phase) {
    case SpiState::Phase::Deselected:
    case SpiState::Phase::Done: break;
    case SpiState::Phase::Receiving:
      if (mosi_dropped) break;
      s.rx.push_back(mosi);
      if (s.rx.size() == wire::kHeaderSize) {
        s.expected = wire::frame_size_from_header(s.rx);
        bool sync_ok = s.rx[0] == wire::kCommandSync && s.rx[1] == wire::kCommandSync2;
        if (s.expected == 0 || !sync_ok) {
          // Bad sync or a length beyond the limit: answer at once.
          s.tx = core_->frame_error();
          s.phase = SpiState::Phase::Responding;
          s.busy = f.take_busy_polls();
          break;
        }
      }
      if (s.expected && s.rx.size() == s.expected) {
        wire::CommandFrame frame;
        wire::FrameError e = wire::decode_command(s.rx, frame);
        s.tx = e == wire::FrameError::None ? core_->execute(frame) : core_->frame_error();
        s.busy = f.take_busy_polls();
        s.phase = f.silent() ? SpiState::Phase::Done : SpiState::Phase::Responding;
      }
      break;
    case SpiState::Phase::Responding:
      if (s.busy > 0) {
        --s.busy;
        break;
      }
      miso = s.tx[s.tx_pos++];
      if (s.tx_pos == s.tx.size()) {
        secure_zero(s.tx.data(), s.tx.size());
        s.tx.clear();
        s.tx_pos = 0;
        s.phase = SpiState::Phase::Done;
      }
      break;
  }
  bool miso_dropped = false;
  miso = f.on_miso(miso, miso_dropped);
  if (miso_dropped && s.phase == SpiState::Phase::Responding && s.busy == 0 && s.tx_pos < s.tx.size()) {
    // The host misses this byte: what it sees now is the next one.
    miso = s.tx[s.tx_pos++];
    if (s.tx_pos == s.tx.size()) {
      secure_zero(s.tx.data(), s.tx.size());
      s.tx.clear();
      s.tx_pos = 0;
      s.phase = SpiState::Phase::Done;
    }
  }
  return miso;
}

void Chip::transfer(const uint8_t* mosi, uint8_t* miso, size_t n) {
  for (size_t i = 0; i < n; ++i) miso[i] = clock(mosi[i]);
  core_->counters().add_bytes(n, n);
}

Serial Chip::serial() const { return core_->state_file().cached().serial; }
const std::string& Chip::state_path() const { return core_->state_file().path(); }
FaultInjector& Chip::faults() { return core_->faults(); }
Counters& Chip::counters() { return core_->counters(); }

namespace {

template <auto Fn>
struct Free {
  template <class T>
  void operator()(T* p) const { Fn(p); }
};
struct OpensslFree {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

// Writes the admin private key as PKCS#8 PEM, mode 0600, refusing to overwrite.
void write_admin_key(const std::string& path, EVP_PKEY* key) {
  std::unique_ptr<OSSL_ENCODER_CTX, Free<OSSL_ENCODER_CTX_free>> enc(OSSL_ENCODER_CTX_new_for_pkey(
      key, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", nullptr));
  unsigned char* pem = nullptr;
  size_t len = 0;
  if (!enc || !OSSL_ENCODER_to_data(enc.get(), &pem, &len))
    throw StateError("cannot encode the admin key for " + path);
  std::unique_ptr<unsigned char, OpensslFree> guard(pem);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    secure_zero(pem, len);
    throw StateError("cannot create the admin key file " + path + ": " + std::strerror(errno) +
                     (errno == EEXIST ? " (it exists; it was left untouched)" : ""));
  }
  bool ok = ::write(fd, pem, len) == static_cast<ssize_t>(len) && fsync(fd) == 0;
  close(fd);
  secure_zero(pem, len);
  if (!ok) throw StateError("cannot write the admin key file " + path);
}

}  // namespace

ProvisionResult Chip::provision(const std::string& state_path, const std::string& admin_key_path) {
  if (access(state_path.c_str(), F_OK) == 0)
    throw StateError("a simulated chip already exists at " + state_path + "; it was left untouched");
  if (access(admin_key_path.c_str(), F_OK) == 0)
    throw StateError("the admin key file " + admin_key_path + " already exists; it was left untouched");
  SimCrypto& crypto = SimCrypto::instance();
  const wire::CurveInfo p256 = *wire::curve_info(static_cast<uint8_t>(wire::Curve::P256));

  PersistentState s;
  crypto.random(s.serial.data(), s.serial.size());
  s.lifecycle = wire::Lifecycle::Operational;

  auto preload = [&](uint16_t id, Bytes xy) {
    Object o;
    o.id = id;
    o.type = wire::ObjectType::PublicKey;
    o.property = wire::ObjectProperty::Persistent;
    preloaded_key_rules(o.rules);
    o.length = static_cast<uint16_t>(p256.field_bytes);
    o.curve = wire::Curve::P256;
    o.public_xy = std::move(xy);
    s.objects.emplace(id, std::move(o));
  };
  // MODELLED: the key-import key's private half stays with the (absent) vendor.
  preload(wire::kKeyImportKeyId, crypto.generate(p256).public_xy);

  std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>> admin(
      EVP_PKEY_Q_keygen(crypto.libctx(), nullptr, "EC", "P-256"));
  if (!admin) throw StateError("cannot generate the admin key");
  Bytes point(65);
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(admin.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &len) ||
      len != 65)
    throw StateError("cannot read the admin public key");
  preload(wire::kAdminKeyId, Bytes(point.begin() + 1, point.end()));

  StateFile::create(state_path, s);
  Counters::open_shared(state_path + ".counters");  // readable (all zero) before first use
  try {
    write_admin_key(admin_key_path, admin.get());
  } catch (...) {
    unlink(state_path.c_str());  // a chip without its admin key would be useless
    throw;
  }
  return {s.serial, admin_key_path};
}

}  // namespace maxq::sim
