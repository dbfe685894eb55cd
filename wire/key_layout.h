// Key commands (PUBLIC layouts unless marked): import key 0xCA / import root
// certificate 0xCB (§4.13, §4.14), sign/verify 0xC8 (§4.15), and the model's
// own raw-ECDH extension of key exchange 0xC3 (MODELLED, simulator only).
#pragma once

#include <cstdint>

#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::wire {

// Key descriptor (10 bytes, lengths little-endian) followed by the material:
// key type u8, curve u8, component length u16le (field size), total length
// u16le (material bytes; 0 = generate on the chip), usage 1, algorithm 1,
// usage 2 (FF none), algorithm 2 (00 none). EC material: X||Y for a public
// key, X||Y||d for a key pair.
struct KeyDescriptor {
  uint8_t key_type = static_cast<uint8_t>(KeyType::Ecc);
  uint8_t curve = 0;
  uint16_t component_length = 0;
  uint16_t total_length = 0;
  uint8_t usage1 = static_cast<uint8_t>(KeyUsage::DataSignature);
  uint8_t algorithm1 = static_cast<uint8_t>(Algorithm::EcdsaSha256);
  uint8_t usage2 = static_cast<uint8_t>(KeyUsage::None);
  uint8_t algorithm2 = static_cast<uint8_t>(Algorithm::None);
};
inline constexpr size_t kKeyDescriptorBytes = 10;
// Descriptor with `material` appended; total_length is set from it.
Bytes encode_key_descriptor(KeyDescriptor d, ByteView material);
// Splits descriptor and material; throws MalformedPayload when the total
// length does not match the bytes present.
KeyDescriptor decode_key_descriptor(ByteView in, ByteView& material);

// CA pass 1 and CB: 01, signature algorithm u8 (0A), verification key id u16
// (1000), destination object id u16, body length u16, body (key descriptor +
// material, or certificate request), signature length u16, raw r||s by the
// key-import key over SHA-256 of exactly the body -> no data.
struct SignedImport {
  uint8_t pass = kPassFirst;
  uint8_t algorithm = static_cast<uint8_t>(Algorithm::EcdsaSha256);
  uint16_t verify_key_id = kKeyImportKeyId;
  uint16_t object_id = 0;
  Bytes body;
  Bytes signature;
};
Bytes encode_signed_import(const SignedImport& s);
SignedImport decode_signed_import(ByteView in, std::string_view what);

// C8: mode u8 (02 sign, 01 verify), algorithm u8, key id u16, reserved u16
// (0000), data length u16, data, signature length u16, signature (sign: 0000
// and none) -> sign: raw r||s, field size each; verify: no data, or
// BadSignature.
struct SignRequest {
  uint8_t mode = kModeSign;
  uint8_t algorithm = static_cast<uint8_t>(Algorithm::EcdsaDigest);
  uint16_t key_id = 0;
  uint16_t reserved = 0;
  Bytes data;
  Bytes signature;
};
Bytes encode_sign_request(const SignRequest& r);
SignRequest decode_sign_request(ByteView in);

// The data of an algorithm-08 (host digest) request: the ECDSA integer of
// `digest` for the curve (its leftmost order-bits bits, as software ECDSA
// takes them) as exactly field-size big-endian bytes. WOLF's port sends field
// size; this is the same for every curve whose order fills its field, and
// exact for P-521 too.
Bytes ecdsa_field_digest(const CurveInfo& curve, ByteView digest);

// MODELLED extension (the real part returns no raw ECDH secret, §4.19): key
// exchange with a pass byte no public pass uses: 80, key id u16, point length
// u16, peer point 04||X||Y -> the shared secret's X coordinate (field size).
// Hosts send it only to simulated chips.
inline constexpr uint8_t kPassSimulatorEcdh = 0x80;
struct SimulatorEcdhRequest {
  uint16_t key_id = 0;
  Bytes peer_point;  // 04 || X || Y
};
Bytes encode_simulator_ecdh(const SimulatorEcdhRequest& r);
// Throws MalformedPayload; `in` starts with the pass byte.
SimulatorEcdhRequest decode_simulator_ecdh(ByteView in);

}  // namespace maxq::wire
