// Provisioning a new simulated chip: what the factory and the first admin do to
// a real part, in one step.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "posix/unique_fd.h"
#include "simulator/chip.h"
#include "simulator/counters.h"
#include "simulator/object_store.h"
#include "simulator/sim_crypto.h"
#include "simulator/state_file.h"
#include "wire/ec_codec.h"

namespace maxq::sim {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

Object preloaded_public_key(uint16_t id, wire::KeyUsage usage, const wire::CurveInfo& curve,
                            Bytes xy) {
  Object o;
  o.id = id;
  o.type = wire::ObjectType::PublicKey;
  o.property = wire::ObjectProperty::Persistent;
  preloaded_key_rules(o.rules);
  o.length = static_cast<uint16_t>(wire::key_object_capacity(o.type, curve));
  o.set_key(curve.curve, std::move(xy), SecretBytes());
  wire::KeyPolicy policy;
  policy.usage1 = static_cast<uint8_t>(usage);
  policy.algorithm1 = static_cast<uint8_t>(wire::Algorithm::EcdsaSha256);
  o.policy = policy;
  return o;
}

Bytes public_xy_of(EVP_PKEY* key, const wire::CurveInfo& curve) {
  Bytes xy = wire::ec_public_xy(key, curve);
  if (xy.empty()) throw CryptoError("cannot read a new public key");
  return xy;
}

// Writes a private key as PKCS#8 PEM to a new file of mode 0600; never
// replaces an existing file. `what` names the key in errors ("admin key").
void write_private_key(const std::string& path, EVP_PKEY* key, const std::string& what) {
  ossl::EncoderCtxPtr enc(
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", nullptr));
  unsigned char* raw = nullptr;
  size_t len = 0;
  if (!enc || !OSSL_ENCODER_to_data(enc.get(), &raw, &len))
    throw StateError("cannot encode the " + what + " for " + path);
  // The PEM text is a secret: wiped before it is freed.
  struct WipedPem {
    unsigned char* p;
    size_t n;
    ~WipedPem() {
      OPENSSL_cleanse(p, n);
      OPENSSL_free(p);
    }
  } pem{raw, len};

  make_parent_dirs(path);
  posix::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == EEXIST)
      throw StateError("the " + what + " file " + path + " already exists; it was left untouched");
    throw StateError("cannot create the " + what + " file " + path + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < pem.n) {
    ssize_t n = ::write(fd.get(), pem.p + done, pem.n - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      unlink(path.c_str());
      throw StateError("cannot write the " + what + " file " + path + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) {
    int e = errno;
    unlink(path.c_str());
    throw StateError("cannot flush the " + what + " file " + path + ": " + std::strerror(e));
  }
}

void refuse_existing(const std::string& path, const std::string& what) {
  if (exists(path)) throw StateError(what + " " + path + " already exists; it was left untouched");
}

}  // namespace

ProvisionResult Chip::provision(const std::string& state_path, const std::string& admin_key_path,
                                const std::string& key_import_key_path) {
  const std::string import_path =
      key_import_key_path.empty() ? state_path + ".key-import.pem" : key_import_key_path;
  if (import_path == admin_key_path)
    throw StateError(
        "the admin key and the key-import key must go to different files, not both to " +
        admin_key_path);
  // Early, clear refusals; the exclusive creates below are what really guards.
  refuse_existing(state_path, "a simulated chip");
  refuse_existing(admin_key_path, "the admin key file");
  refuse_existing(import_path, "the key-import key file");

  SimCrypto crypto;
  const wire::CurveInfo p256 = *wire::curve_info(wire::Curve::P256);
  PersistentState state;
  crypto.random(state.serial.data(), state.serial.size());
  state.lifecycle = wire::Lifecycle::Operational;

  // Two distinct keys: the key-import key signs key descriptors and
  // certificates for import key / import root certificate, the admin key
  // the challenge of admin authenticate.
  ossl::PkeyPtr import_key(EVP_PKEY_Q_keygen(crypto.libctx(), nullptr, "EC", "P-256"));
  ossl::PkeyPtr admin(EVP_PKEY_Q_keygen(crypto.libctx(), nullptr, "EC", "P-256"));
  if (!import_key || !admin) throw CryptoError("cannot generate the chip's pre-loaded keys");
  state.objects.emplace(wire::kKeyImportKeyId,
                        preloaded_public_key(wire::kKeyImportKeyId, wire::KeyUsage::KeyImport, p256,
                                             public_xy_of(import_key.get(), p256)));
  state.objects.emplace(wire::kAdminKeyId,
                        preloaded_public_key(wire::kAdminKeyId, wire::KeyUsage::AdminAuthentication,
                                             p256, public_xy_of(admin.get(), p256)));

  StateFile::create(state_path, state, crypto);
  bool admin_written = false;
  try {
    write_private_key(admin_key_path, admin.get(), "admin key");
    admin_written = true;
    write_private_key(import_path, import_key.get(), "key-import key");
  } catch (...) {
    // A chip nobody can administer or give keys to is of no use.
    if (admin_written) unlink(admin_key_path.c_str());
    unlink(state_path.c_str());
    throw;
  }
  Counters::open_shared(state_path + ".counters");  // readable (all zero) before first use
  return {state.serial, admin_key_path, import_path};
}

}  // namespace maxq::sim
