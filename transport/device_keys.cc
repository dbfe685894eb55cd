// The Device's key commands: key generation and import through requests
// signed with the key-import key (import key CA), certificates (import root
// certificate CB, read back with their 24-byte header), reading a public key,
// and the simulator's raw-ECDH extension.
#include <algorithm>
#include <utility>

#include "transport/credential_key.h"
#include "transport/device.h"
#include "transport/device_answers.h"
#include "transport/signature_check.h"
#include "wire/certificate_layout.h"
#include "wire/key_layout.h"

namespace maxq::transport {

using wire::Command;
using namespace answers;

void Device::signed_import(Command cmd, uint16_t id, Bytes body, const CredentialKey& key_import,
                           const std::string& what) {
  wire::SignedImport s;
  s.object_id = id;
  s.signature = key_import.sign(body);  // the chip checks it with object 0x1000
  s.body = std::move(body);
  Bytes payload = wire::encode_signed_import(s);
  if (payload.size() > wire::kMaxHostCommandPayload)
    throw Error(what + ": the request would carry " + std::to_string(payload.size()) +
                " bytes, more than a MAXQ1061 command takes (" +
                std::to_string(wire::kMaxHostCommandPayload) +
                "; the import is one command, so a certificate can have about " +
                std::to_string(wire::kMaxHostCommandPayload - kSignedImportOverhead -
                               wire::kCertificateHeaderBytes) +
                " bytes of DER): use a smaller certificate (fewer extensions, an EC issuer)");
  command(cmd, payload, Retry::OnlyIfNotExecuted, 0, what);
}

namespace {

wire::KeyDescriptor descriptor_for(const wire::CurveInfo& curve, KeyUse use) {
  wire::KeyDescriptor d;
  d.curve = static_cast<uint8_t>(curve.curve);
  d.component_length = static_cast<uint16_t>(curve.field_bytes);
  d.usage1 = static_cast<uint8_t>(use.usage1);
  d.algorithm1 = static_cast<uint8_t>(use.algorithm1);
  d.usage2 = static_cast<uint8_t>(use.usage2);
  d.algorithm2 = static_cast<uint8_t>(use.algorithm2);
  return d;
}

}  // namespace

PublicKey Device::generate_key(uint16_t id, wire::Curve curve, const CredentialKey& key_import,
                               KeyUse use) {
  const std::string what = "generate key in object " + hex16(id);
  auto info = wire::curve_info(curve);
  if (!info)
    throw Error(what + ": curve id " + std::to_string(static_cast<int>(curve)) +
                " is not one the MAXQ1061 knows");
  forget(id);
  signed_import(Command::ImportKey, id, wire::encode_key_descriptor(descriptor_for(*info, use), {}),
                key_import, what);
  // The part answers the import with no data: the new public key is read.
  remember_field_bytes(id, info->field_bytes);
  PublicKey key = read_public(id);
  if (key.curve != curve) bad_answer(what, "the new key is not on " + std::string(info->sn));
  return key;
}

void Device::import_public_key(uint16_t id, const PublicKey& key, const CredentialKey& key_import,
                               KeyUse use) {
  const std::string what = "import public key into " + hex16(id);
  auto info = wire::curve_info(key.curve);
  if (!info || key.xy.size() != 2 * info->field_bytes)
    throw Error(what + ": not a public key X || Y of a curve the MAXQ1061 knows");
  signed_import(Command::ImportKey, id,
                wire::encode_key_descriptor(descriptor_for(*info, use), key.xy), key_import, what);
  remember_public(id, key);
}

void Device::import_certificate(uint16_t id, ByteView der, const CredentialKey& key_import) {
  const std::string what = "import certificate into " + hex16(id);
  // The curve of the certified key comes from the point in the DER.
  auto parts = wire::certificate_parts(der);
  if (!parts) throw Error(what + ": not a DER X.509 certificate");
  ByteView point = der.subview(parts->public_key_offset, parts->public_key_bytes);
  std::optional<wire::Curve> curve;
  if (point.size() > 1 && point[0] == 0x04 && point.size() % 2 == 1)
    curve = signature_check().curve_of_point(point.subview(1));
  auto info = curve ? wire::curve_info(*curve) : std::nullopt;
  if (!info)
    throw Error(what +
                ": the certificate's key is not an uncompressed EC point on a curve the "
                "MAXQ1061 knows (P-256, P-384, P-521, brainpool 256/384/512)");
  auto header = wire::certificate_header_for(der, *info, wire::kKeyImportKeyId);
  if (!header) throw Error(what + ": the certificate does not fit the chip's certificate header");
  signed_import(Command::ImportRootCert, id, wire::encode_certificate_request(*header, der),
                key_import, what);
}

Bytes Device::read_certificate(uint16_t id) {
  const std::string what = "read certificate " + hex16(id);
  // Header and DER in one read: a certificate the chip took fits one answer.
  constexpr size_t kTypicalRequest = 1024;
  Bytes all = command(Command::ReadObject,
                      wire::encode_read_object({id, 0, static_cast<uint16_t>(wire::kMaxPayload)}),
                      Retry::Safe, kTypicalRequest, what);
  if (all.size() < wire::kCertificateHeaderBytes)
    bad_answer(what, "no certificate header (" + std::to_string(all.size()) + " bytes)");
  wire::CertificateHeader h =
      parse_response(what, [&] { return wire::decode_certificate_header(all); });
  while (all.size() < wire::kCertificateHeaderBytes + h.der_length) {
    Bytes part = read_object(id, static_cast<uint16_t>(all.size()),
                             static_cast<uint16_t>(wire::kMaxPayload));
    if (part.empty()) bad_answer(what, "the certificate ends before its announced length");
    all.insert(all.end(), part.begin(), part.end());
  }
  Bytes der(
      all.begin() + wire::kCertificateHeaderBytes,
      all.begin() + static_cast<std::ptrdiff_t>(wire::kCertificateHeaderBytes + h.der_length));
  auto parts = wire::certificate_parts(der);
  if (!parts || parts->public_key_offset != h.public_key_offset ||
      parts->tbs_length != h.tbs_length)
    bad_answer(what, "the stored DER does not match its header");
  return der;
}

void Device::require_raw_ecdh(const std::string& what) const {
  if (link_->reaches_hardware())
    throw UnsupportedError(
        what + " on " + describe() +
        ": a MAXQ1061 returns no raw ECDH secret (its ECDH lives inside its TLS 1.2 engine); "
        "on-chip ECDH(E) is an extension of the simulated chip only. Keep ECDHE in software "
        "with the identity key on the chip (profile A of openssl.cnf.example: no "
        "default_properties line)");
}

SecretBytes Device::ecdh(uint16_t id, ByteView peer_xy) {
  const std::string what = "key exchange with key " + hex16(id);
  require_raw_ecdh(what);
  wire::SimulatorEcdhRequest q;
  q.key_id = id;
  q.peer_point.reserve(1 + peer_xy.size());
  q.peer_point.push_back(0x04);
  q.peer_point.insert(q.peer_point.end(), peer_xy.begin(), peer_xy.end());
  Bytes payload = wire::encode_simulator_ecdh(q);
  Bytes r = command(Command::KeyExchange, payload, Retry::Safe, peer_xy.size() / 2, what);
  secure_zero(payload.data(), payload.size());
  SecretBytes secret{ByteView(r)};
  secure_zero(r.data(), r.size());
  if (secret.size() * 2 != peer_xy.size())
    bad_answer(what, "a secret of " + std::to_string(secret.size()) + " bytes");
  return secret;
}

PublicKey Device::read_public(uint16_t id) {
  const std::string what = "read object " + hex16(id);
  const size_t hint = field_bytes_hint(id);
  Bytes r = command(Command::ReadObject,
                    wire::encode_read_object({id, 0, static_cast<uint16_t>(2 * kLargestField)}),
                    Retry::Safe, 2 * hint, what);
  // X || Y: its size names the field, the point itself the curve.
  std::optional<wire::Curve> curve;
  if (!r.empty() && r.size() % 2 == 0 && r.size() <= 2 * kLargestField)
    curve = signature_check().curve_of_point(r);
  if (!curve)
    bad_answer(what, "not a public key X || Y on a curve the MAXQ1061 knows (" +
                         std::to_string(r.size()) + " bytes)");
  PublicKey key{*curve, std::move(r)};
  remember_public(id, key);
  return key;
}

}  // namespace maxq::transport
