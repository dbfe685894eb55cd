// Test-only support for the simulator's tests: a provisioned chip in a temp
// directory, a host that talks to a Chip through its SPI face exactly like the
// real host does (select, frame, 0xCC polls until 0x55, header, LEN + 2 bytes,
// deselect), payload builders for every command, and reference crypto (plain
// libcrypto in the test's own library context) to check the chip's results.
#pragma once

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include "simulator/chip.h"
#include "simulator/object_store.h"
#include "test/support/provisioned_chip.h"
#include "wire/bytes.h"
#include "wire/frame_codec.h"
#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::sim::testing {

using maxq::testing::TempDir;

Bytes read_file(const std::string& path);
void write_file(const std::string& path, const Bytes& data);

using maxq::testing::ProvisionedChip;

// Edits a state file in place (decode, `edit`, encode with the next
// generation), the way another writer would; for states no command reaches
// (a chip still in delivery).
void edit_state(const std::string& path, const std::function<void(PersistentState&)>& edit);

// One command through the SPI face; throws std::runtime_error when the chip
// does not answer within `max_polls` or the response frame is damaged.
wire::ResponseFrame exchange(Chip& chip, uint8_t command, ByteView payload,
                             size_t max_polls = 4096);

// Access rules: `roles` for `ops` in delivery, initialized and operational.
using RuleList = std::initializer_list<std::pair<wire::Operation, uint8_t>>;
Bytes rules(RuleList grants);
// Everyone reads and executes; the admin writes, deletes and generates.
Bytes admin_managed_rules();
// Everyone may do everything.
Bytes open_rules();

// Payload builders: the wire/ encoders with the test's arguments.
namespace payload {
Bytes u16(uint16_t v);  // get challenge / get random length
Bytes create(uint16_t id, wire::ObjectType type, wire::ObjectProperty property, ByteView rules,
             uint16_t length);
Bytes read(uint16_t id, uint16_t offset, uint16_t length);
Bytes write(uint16_t id, uint16_t offset, ByteView data);
Bytes sign_verify(uint8_t mode, wire::Algorithm alg, uint16_t id, ByteView data,
                  ByteView signature = {});
// Key exchange, the model's raw-ECDH pass: `peer_xy` goes out as 04 || X || Y.
Bytes key_exchange(uint16_t id, ByteView peer_xy);
Bytes authenticate(ByteView signature, uint8_t algorithm = 10, uint16_t key = wire::kAdminKeyId);
// A key descriptor for `curve` (ECC) with `material` (empty: generate).
Bytes descriptor(wire::Curve curve, ByteView material = {},
                 wire::KeyUsage usage = wire::KeyUsage::DataSignature,
                 wire::Algorithm algorithm = wire::Algorithm::EcdsaSha256);
// Import key / import root certificate: pass 1, ECDSA-SHA256, key 0x1000.
Bytes signed_import(uint16_t id, ByteView body, ByteView signature);
}  // namespace payload

// Content capacity of a key object (§5.4).
uint16_t capacity(wire::ObjectType type, wire::Curve curve);

// Reference crypto in a library context of the test's own: a second party
// that shares no state (and no code beyond libcrypto) with the chip under test.
class RefCrypto {
 public:
  RefCrypto();
  ossl::PkeyPtr generate(wire::Curve curve);
  static Bytes public_xy(EVP_PKEY* key);
  static Bytes private_scalar(EVP_PKEY* key, size_t field_bytes);
  ossl::PkeyPtr public_key(wire::Curve curve, ByteView xy);  // nullptr if invalid
  bool verify(wire::Curve curve, ByteView xy, ByteView digest, ByteView raw_signature);
  Bytes ecdh(EVP_PKEY* own, EVP_PKEY* peer);
  Bytes digest(const char* name, ByteView data);
  // ECDSA-SHA-256 of `message` with the P-256 PEM key at `pem`, raw r || s:
  // the admin's answer to a challenge, the key-import key's signature.
  Bytes sign_sha256(const std::string& pem, ByteView message);
  Bytes sign_challenge(const std::string& admin_pem, ByteView challenge) {
    return sign_sha256(admin_pem, challenge);
  }

 private:
  ossl::LibCtxPtr ctx_;
  ossl::ProviderPtr provider_;
};

// A host session on a chip, with the chip's answers as (status, payload). It
// finds the keys of a chip provisioned by ProvisionedChip beside its state
// file: STATE.admin.pem and STATE.key-import.pem.
class Host {
 public:
  explicit Host(std::unique_ptr<Chip> chip);
  Chip& chip() { return *chip_; }
  const std::string& admin_pem() const { return admin_pem_; }
  const std::string& key_import_pem() const { return key_import_pem_; }

  wire::ResponseFrame send(wire::Command command, ByteView payload = {});
  // Just the status word of the answer.
  uint16_t status(wire::Command command, ByteView payload = {});
  // Payload of an answer that must be OK (throws otherwise, naming the status).
  Bytes ok(wire::Command command, ByteView payload = {});
  // get challenge (16 bytes) + admin authenticate with the PEM key at `admin_pem`.
  uint16_t authenticate(const std::string& admin_pem);
  uint16_t admin_reset();
  // Import key into `id`: `body` (a key descriptor and material) signed with
  // the key-import key. Returns the status.
  uint16_t import(uint16_t id, ByteView body);
  // Generates a key of `curve` in key pair `id` (usage data signature).
  uint16_t generate(uint16_t id, wire::Curve curve,
                    wire::KeyUsage usage = wire::KeyUsage::DataSignature);
  // Creates a persistent key pair with admin_managed_rules() and generates
  // its key (needs the admin role); returns X || Y read back from the chip.
  Bytes make_key_pair(uint16_t id, wire::Curve curve);

 private:
  std::unique_ptr<Chip> chip_;
  std::string admin_pem_, key_import_pem_;
  RefCrypto ref_;
};

inline uint16_t st(wire::Status s) {
  return static_cast<uint16_t>(s);
}
size_t field_bytes(wire::Curve curve);

}  // namespace maxq::sim::testing
