// wire/certificate_layout: the 24-byte header, and the bounded DER walk of
// certificate_parts / certificate_header_for over untrusted certificates.
#include <cstdlib>

#include "fuzz/fuzz_support.h"
#include "wire/certificate_layout.h"

using namespace maxq;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::Input in(data, size);
  uint8_t which = in.u8();
  ByteView body = in.rest();
  if (which & 1) {
    try {
      wire::CertificateHeader h = wire::decode_certificate_header(body);
      (void)wire::encode_certificate_request(h, body.subview(wire::kCertificateHeaderBytes));
    } catch (const MalformedPayload&) {
    }
    return 0;
  }
  if (auto parts = wire::certificate_parts(body)) {
    // Every part the walk names lies inside the certificate.
    if (parts->der_length > body.size() || parts->tbs_offset + parts->tbs_length > body.size() ||
        parts->public_key_offset + parts->public_key_bytes > body.size())
      std::abort();
  }
  for (wire::Curve c : {wire::Curve::P256, wire::Curve::P384}) {
    auto curve = wire::curve_info(static_cast<uint8_t>(c));
    if (curve) (void)wire::certificate_header_for(body, *curve, 0x1000);
  }
  return 0;
}
