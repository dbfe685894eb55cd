#include "wire/certificate_layout.h"

#include <algorithm>

namespace maxq::wire {
namespace {

// One DER TLV at `pos`: its tag, where its content starts and how long it is.
struct Tlv {
  uint8_t tag = 0;
  size_t start = 0;  // tag offset
  size_t content = 0;
  size_t length = 0;
  size_t end() const { return content + length; }
};

// Definite lengths of at most 3 bytes (certificates fit in 64 KB here).
std::optional<Tlv> read_tlv(ByteView der, size_t pos, size_t limit) {
  if (pos + 2 > limit) return std::nullopt;
  Tlv t;
  t.start = pos;
  t.tag = der[pos];
  if ((t.tag & 0x1F) == 0x1F) return std::nullopt;  // multi-byte tags: not in certificates
  uint8_t first = der[pos + 1];
  size_t p = pos + 2;
  if (first < 0x80) {
    t.length = first;
  } else {
    size_t n = first & 0x7F;
    if (n == 0 || n > 3 || p + n > limit) return std::nullopt;
    for (size_t i = 0; i < n; ++i) t.length = t.length << 8 | der[p + i];
    p += n;
  }
  t.content = p;
  if (t.length > limit - p) return std::nullopt;
  return t;
}

// ecdsa-with-SHA256/384/512: 1.2.840.10045.4.3.2/3/4.
Algorithm ecdsa_algorithm(ByteView oid) {
  const uint8_t prefix[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03};
  if (oid.size() != sizeof prefix + 1 || !std::equal(prefix, prefix + sizeof prefix, oid.begin()))
    return Algorithm::None;
  switch (oid[sizeof prefix]) {
    case 2:
      return Algorithm::EcdsaSha256;
    case 3:
      return Algorithm::EcdsaSha384;
    case 4:
      return Algorithm::EcdsaSha512;
    default:
      return Algorithm::None;
  }
}

}  // namespace

Bytes encode_certificate_request(const CertificateHeader& h, ByteView der) {
  PayloadWriter w;
  w.u8(h.key_type).u8(h.curve);
  w.u16le(h.component_length);
  w.u16le(h.public_key_length);
  w.u16le(h.public_key_offset);
  w.u16le(h.tbs_offset);
  w.u16le(h.tbs_length);
  w.u16le(h.der_length);
  w.u16le(h.parent_id);
  w.u16(0).u8(h.signature_algorithm).u8(0);
  w.u8(h.usage1).u8(h.algorithm1).u8(h.usage2).u8(h.algorithm2).bytes(der);
  return w.take();
}

CertificateHeader decode_certificate_header(ByteView in) {
  PayloadReader r(in.subview(0, kCertificateHeaderBytes), "certificate header");
  CertificateHeader h;
  h.key_type = r.u8();
  h.curve = r.u8();
  h.component_length = r.u16le();
  h.public_key_length = r.u16le();
  h.public_key_offset = r.u16le();
  h.tbs_offset = r.u16le();
  h.tbs_length = r.u16le();
  h.der_length = r.u16le();
  h.parent_id = r.u16le();
  r.u16();
  h.signature_algorithm = r.u8();
  r.u8();
  h.usage1 = r.u8();
  h.algorithm1 = r.u8();
  h.usage2 = r.u8();
  h.algorithm2 = r.u8();
  r.expect_end();
  return h;
}

std::optional<CertificateParts> certificate_parts(ByteView der) {
  constexpr uint8_t kSequence = 0x30, kBitString = 0x03, kExplicit0 = 0xA0, kObjectId = 0x06;
  auto cert = read_tlv(der, 0, der.size());
  if (!cert || cert->tag != kSequence || cert->end() != der.size()) return std::nullopt;
  auto tbs = read_tlv(der, cert->content, cert->end());
  if (!tbs || tbs->tag != kSequence) return std::nullopt;
  // TBSCertificate: [0] version (optional), serial, signature, issuer,
  // validity, subject, subjectPublicKeyInfo.
  size_t pos = tbs->content;
  auto field = read_tlv(der, pos, tbs->end());
  if (field && field->tag == kExplicit0) pos = field->end();
  for (int skip = 0; skip < 5; ++skip) {
    field = read_tlv(der, pos, tbs->end());
    if (!field) return std::nullopt;
    pos = field->end();
  }
  auto spki = read_tlv(der, pos, tbs->end());
  if (!spki || spki->tag != kSequence) return std::nullopt;
  auto algorithm = read_tlv(der, spki->content, spki->end());
  if (!algorithm || algorithm->tag != kSequence) return std::nullopt;
  auto key = read_tlv(der, algorithm->end(), spki->end());
  if (!key || key->tag != kBitString || key->length < 2 || der[key->content] != 0)
    return std::nullopt;
  CertificateParts parts;
  auto signature = read_tlv(der, tbs->end(), cert->end());
  if (!signature || signature->tag != kSequence) return std::nullopt;
  auto oid = read_tlv(der, signature->content, signature->end());
  if (!oid || oid->tag != kObjectId) return std::nullopt;
  parts.signature_algorithm = ecdsa_algorithm(der.subview(oid->content, oid->length));
  parts.der_length = der.size();
  parts.tbs_offset = tbs->start;
  parts.tbs_length = tbs->end() - tbs->start;
  parts.public_key_offset = key->content + 1;
  parts.public_key_bytes = key->length - 1;
  return parts;
}

std::optional<CertificateHeader> certificate_header_for(ByteView der, const CurveInfo& curve,
                                                        uint16_t parent_id) {
  auto parts = certificate_parts(der);
  if (!parts || parts->der_length > 0xFFFF) return std::nullopt;
  if (parts->public_key_bytes != 1 + 2 * curve.field_bytes || der[parts->public_key_offset] != 0x04)
    return std::nullopt;
  CertificateHeader h;
  h.curve = static_cast<uint8_t>(curve.curve);
  h.component_length = static_cast<uint16_t>(curve.field_bytes);
  h.public_key_length = static_cast<uint16_t>(2 * curve.field_bytes);
  h.public_key_offset = static_cast<uint16_t>(parts->public_key_offset);
  h.tbs_offset = static_cast<uint16_t>(parts->tbs_offset);
  h.tbs_length = static_cast<uint16_t>(parts->tbs_length);
  h.der_length = static_cast<uint16_t>(parts->der_length);
  h.parent_id = parent_id;
  h.signature_algorithm = static_cast<uint8_t>(parts->signature_algorithm);
  return h;
}

}  // namespace maxq::wire
