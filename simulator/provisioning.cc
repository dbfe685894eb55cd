// Provisioning a new simulated chip: what the factory and the first admin do to
// a real part, in one step.
#include <fcntl.h>
#include <openssl/core_names.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "simulator/chip.h"
#include "simulator/counters.h"
#include "simulator/object_store.h"
#include "simulator/sim_crypto.h"
#include "simulator/state_file.h"
#include "simulator/unique_fd.h"

namespace maxq::sim {
namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

Object preloaded_public_key(uint16_t id, const wire::CurveInfo& curve, Bytes xy) {
  Object o;
  o.id = id;
  o.type = wire::ObjectType::PublicKey;
  o.property = wire::ObjectProperty::Persistent;
  preloaded_key_rules(o.rules);
  o.length = static_cast<uint16_t>(curve.field_bytes);
  o.set_key(curve.curve, std::move(xy), SecretBytes());
  return o;
}

Bytes public_xy_of(EVP_PKEY* key, const wire::CurveInfo& curve) {
  Bytes point(1 + 2 * curve.field_bytes);
  size_t len = 0;
  if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(),
                                       &len) ||
      len != point.size() || point[0] != 0x04)
    throw CryptoError("cannot read the new admin public key");
  return Bytes(point.begin() + 1, point.end());
}

// Writes the admin private key as PKCS#8 PEM to a new file of mode 0600;
// never replaces an existing file.
void write_admin_key(const std::string& path, EVP_PKEY* key) {
  ossl::EncoderCtxPtr enc(
      OSSL_ENCODER_CTX_new_for_pkey(key, EVP_PKEY_KEYPAIR, "PEM", "PrivateKeyInfo", nullptr));
  unsigned char* raw = nullptr;
  size_t len = 0;
  if (!enc || !OSSL_ENCODER_to_data(enc.get(), &raw, &len))
    throw StateError("cannot encode the admin key for " + path);
  // The PEM text is the admin secret: wiped before it is freed.
  struct WipedPem {
    unsigned char* p;
    size_t n;
    ~WipedPem() {
      OPENSSL_cleanse(p, n);
      OPENSSL_free(p);
    }
  } pem{raw, len};

  make_parent_dirs(path);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    if (errno == EEXIST)
      throw StateError("the admin key file " + path + " already exists; it was left untouched");
    throw StateError("cannot create the admin key file " + path + ": " + std::strerror(errno));
  }
  size_t done = 0;
  while (done < pem.n) {
    ssize_t n = ::write(fd.get(), pem.p + done, pem.n - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      unlink(path.c_str());
      throw StateError("cannot write the admin key file " + path + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (fsync(fd.get()) != 0) {
    int e = errno;
    unlink(path.c_str());
    throw StateError("cannot flush the admin key file " + path + ": " + std::strerror(e));
  }
}

}  // namespace

ProvisionResult Chip::provision(const std::string& state_path, const std::string& admin_key_path) {
  // Early, clear refusals; the exclusive creates below are what really guards.
  if (exists(state_path))
    throw StateError("a simulated chip already exists at " + state_path +
                     "; it was left untouched");
  if (exists(admin_key_path))
    throw StateError("the admin key file " + admin_key_path +
                     " already exists; it was left untouched");

  SimCrypto crypto;
  const wire::CurveInfo p256 = *wire::curve_info(static_cast<uint8_t>(wire::Curve::P256));
  PersistentState state;
  crypto.random(state.serial.data(), state.serial.size());
  state.lifecycle = wire::Lifecycle::Operational;

  // MODELLED: the key-import key's private half stays with the vendor; the
  // model only needs its public half to exist.
  Bytes import_xy = crypto.generate(p256).public_xy;
  state.objects.emplace(wire::kKeyImportKeyId,
                        preloaded_public_key(wire::kKeyImportKeyId, p256, std::move(import_xy)));

  ossl::PkeyPtr admin(EVP_PKEY_Q_keygen(crypto.libctx(), nullptr, "EC", "P-256"));
  if (!admin) throw CryptoError("cannot generate the admin key");
  state.objects.emplace(wire::kAdminKeyId, preloaded_public_key(wire::kAdminKeyId, p256,
                                                                public_xy_of(admin.get(), p256)));

  StateFile::create(state_path, state, crypto);
  try {
    write_admin_key(admin_key_path, admin.get());
  } catch (...) {
    unlink(state_path.c_str());  // a chip nobody can administer is of no use
    throw;
  }
  Counters::open_shared(state_path + ".counters");  // readable (all zero) before first use
  return {state.serial, admin_key_path};
}

}  // namespace maxq::sim
