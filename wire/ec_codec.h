// The EC encodings every layer converts between, written once: the chip's raw
// ECDSA signature r || s and the DER ECDSA-Sig-Value libcrypto takes, and the
// chip's public point (X || Y, or 04 || X || Y) and a libcrypto EVP_PKEY.
// Stateless: a function that makes a libcrypto object takes the library
// context to make it in (the host's software context, wire/software_libctx.h,
// or the simulated chip's own). Every input is untrusted (a chip answer, a
// host request, a file): lengths, zero integers and off-curve points are
// refused, never guessed at.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <optional>

#include "wire/bytes.h"
#include "wire/openssl_handles.h"
#include "wire/protocol.h"

namespace maxq::wire {

// DER ECDSA-Sig-Value of the raw signature r || s of a curve whose
// coordinates are `field_bytes` long: nullopt unless `raw` is exactly
// 2 * field_bytes bytes and neither r nor s is zero. Leading zero bytes of r
// and s are the padding of the fixed-size form, not part of the integers.
std::optional<Bytes> ecdsa_der_from_raw(ByteView raw, size_t field_bytes);

// Raw r || s, each left-padded to `field_bytes`, of a DER ECDSA-Sig-Value:
// nullopt unless `der` is exactly one DER-encoded (canonical, nothing after
// it) SEQUENCE of two positive integers of at most `field_bytes` bytes each.
std::optional<Bytes> ecdsa_raw_from_der(ByteView der, size_t field_bytes);

// 04 || X || Y from X || Y or from 04 || X || Y on `curve`; empty for any
// other length or first byte. Says nothing about the point being on the curve.
Bytes uncompressed_point(const CurveInfo& curve, ByteView point);

// An EC public key on `curve` in `ctx` (its key manager fetched with `propq`)
// from X || Y or 04 || X || Y; null when the length is wrong or the point is
// not on the curve (libcrypto's reason stays on the error queue: callers that
// keep it clean set a mark).
ossl::PkeyPtr ec_public_key(OSSL_LIB_CTX* ctx, const CurveInfo& curve, ByteView point,
                            const char* propq = nullptr);

// An EC key pair on `curve` in `ctx` from its public point (as above) and its
// private scalar (field_bytes, big-endian; copied only into secure memory that
// is cleared when freed). Null when the lengths are wrong or libcrypto refuses
// the material; it does not check that the scalar belongs to the point
// (EVP_PKEY_check does).
ossl::PkeyPtr ec_key_pair(OSSL_LIB_CTX* ctx, const CurveInfo& curve, ByteView point,
                          ByteView scalar);

// 04 || X || Y of an EC key on `curve` whose point is kept uncompressed (the
// default); empty when the key has no such point.
Bytes ec_public_point(const EVP_PKEY* key, const CurveInfo& curve);
// X || Y of the same; empty likewise.
Bytes ec_public_xy(const EVP_PKEY* key, const CurveInfo& curve);

// The largest DER ECDSA-Sig-Value on `curve`: each INTEGER is tag, length and
// up to one byte more than the order for a sign byte.
size_t ecdsa_der_max_size(const CurveInfo& curve);

// Whether raw r || s is an ECDSA signature over `digest` by the public key
// X || Y on `curve`, every fetch in `ctx` with `propq`. False for a malformed
// signature or digest, or one that does not verify; nullopt when `ctx` could
// not take the key (a point off the curve, or no EC key manager or ECDSA
// there), so that a caller can try another context. libcrypto's reasons stay
// on the error queue (callers set a mark).
std::optional<bool> ecdsa_verify_raw(OSSL_LIB_CTX* ctx, const char* propq, const CurveInfo& curve,
                                     ByteView xy, ByteView digest, ByteView raw_signature);

// The curve whose point X || Y is, among the chip's curves with that field
// size (P-256 and brainpoolP256r1 share one), checked in `ctx` with `propq`;
// nullopt when on none of them (or `ctx` has no EC key manager).
std::optional<Curve> curve_of_point(OSSL_LIB_CTX* ctx, const char* propq, ByteView xy);

}  // namespace maxq::wire
