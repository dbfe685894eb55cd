// Certificates on the chip (PUBLIC, §4.14 and §4.9): a certificate object
// holds the import request, a 24-byte header (16-bit fields little-endian)
// followed by the DER certificate, and reads back as the same bytes.
//
// Header (MAXQ106x): key type, curve, component length, public key length
// (2 x field), offset of the public key in the DER (its 04 byte), TBS start,
// TBS length, DER length, parent (verifying) object id, 0000, signature
// algorithm, 00, usage 1, algorithm 1, usage 2, algorithm 2.
#pragma once

#include <cstdint>
#include <optional>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::wire {

inline constexpr size_t kCertificateHeaderBytes = 24;

struct CertificateHeader {
  uint8_t key_type = static_cast<uint8_t>(KeyType::Ecc);
  uint8_t curve = 0;
  uint16_t component_length = 0;
  uint16_t public_key_length = 0;
  uint16_t public_key_offset = 0;
  uint16_t tbs_offset = 0;
  uint16_t tbs_length = 0;
  uint16_t der_length = 0;
  uint16_t parent_id = 0;
  uint8_t signature_algorithm = 0;
  uint8_t usage1 = static_cast<uint8_t>(KeyUsage::DataSignature);
  uint8_t algorithm1 = static_cast<uint8_t>(Algorithm::EcdsaAnySha);
  uint8_t usage2 = static_cast<uint8_t>(KeyUsage::None);
  uint8_t algorithm2 = static_cast<uint8_t>(Algorithm::None);
};
// Header followed by `der`.
Bytes encode_certificate_request(const CertificateHeader& h, ByteView der);
// Reads the first 24 bytes of `in`; throws MalformedPayload when shorter.
CertificateHeader decode_certificate_header(ByteView in);

// Where the parts the header names sit in a DER certificate, from a bounded
// walk of its TLVs (untrusted input: every length is checked).
struct CertificateParts {
  size_t der_length = 0;         // the outer SEQUENCE, tag to end
  size_t tbs_offset = 0;         // TBSCertificate tag
  size_t tbs_length = 0;         // TBSCertificate, tag and length included
  size_t public_key_offset = 0;  // first byte of the subject key's BIT STRING content after
                                 // the unused-bits octet (the 04 of an uncompressed point)
  size_t public_key_bytes = 0;   // bytes from there to the end of the BIT STRING
  // The certificate's signature algorithm (Certificate.signatureAlgorithm):
  // the algorithm byte of the header, EcdsaSha256/384/512, or None for a
  // signature the chip's algorithm ids do not name (RSA, EdDSA...; MODELLED).
  Algorithm signature_algorithm = Algorithm::None;
};
// nullopt when `der` is not one complete X.509 certificate of that shape.
std::optional<CertificateParts> certificate_parts(ByteView der);

// The header for `der`, or nullopt when it is not a certificate with an
// uncompressed EC point of `curve`.
std::optional<CertificateHeader> certificate_header_for(ByteView der, const CurveInfo& curve,
                                                        uint16_t parent_id);

}  // namespace maxq::wire
