#include "wire/key_layout.h"

#include <algorithm>

namespace maxq::wire {

Bytes encode_key_descriptor(KeyDescriptor d, ByteView material) {
  d.total_length = static_cast<uint16_t>(material.size());
  PayloadWriter w;
  w.u8(d.key_type).u8(d.curve);
  w.u16le(d.component_length);
  w.u16le(d.total_length);
  w.u8(d.usage1).u8(d.algorithm1).u8(d.usage2).u8(d.algorithm2).bytes(material);
  return w.take();
}

KeyDescriptor decode_key_descriptor(ByteView in, ByteView& material) {
  PayloadReader r(in, "key descriptor");
  KeyDescriptor d;
  d.key_type = r.u8();
  d.curve = r.u8();
  d.component_length = r.u16le();
  d.total_length = r.u16le();
  d.usage1 = r.u8();
  d.algorithm1 = r.u8();
  d.usage2 = r.u8();
  d.algorithm2 = r.u8();
  material = r.bytes(d.total_length);
  r.expect_end();
  return d;
}

Bytes encode_signed_import(const SignedImport& s) {
  PayloadWriter w;
  w.u8(s.pass).u8(s.algorithm).u16(s.verify_key_id).u16(s.object_id);
  w.u16(static_cast<uint16_t>(s.body.size())).bytes(s.body);
  w.u16(static_cast<uint16_t>(s.signature.size())).bytes(s.signature);
  return w.take();
}

SignedImport decode_signed_import(ByteView in, std::string_view what) {
  PayloadReader r(in, what);
  SignedImport s;
  s.pass = r.u8();
  s.algorithm = r.u8();
  s.verify_key_id = r.u16();
  s.object_id = r.u16();
  s.body = r.bytes(r.u16()).to_bytes();
  s.signature = r.bytes(r.u16()).to_bytes();
  r.expect_end();
  return s;
}

Bytes encode_sign_request(const SignRequest& q) {
  PayloadWriter w;
  w.u8(q.mode).u8(q.algorithm).u16(q.key_id).u16(q.reserved);
  w.u16(static_cast<uint16_t>(q.data.size())).bytes(q.data);
  w.u16(static_cast<uint16_t>(q.signature.size())).bytes(q.signature);
  return w.take();
}

SignRequest decode_sign_request(ByteView in) {
  PayloadReader r(in, "sign/verify");
  SignRequest q;
  q.mode = r.u8();
  q.algorithm = r.u8();
  q.key_id = r.u16();
  q.reserved = r.u16();
  q.data = r.bytes(r.u16()).to_bytes();
  q.signature = r.bytes(r.u16()).to_bytes();
  r.expect_end();
  return q;
}

Bytes ecdsa_field_digest(const CurveInfo& curve, ByteView digest) {
  const size_t order_bytes = (curve.bits + 7) / 8;
  Bytes e(digest.begin(), digest.end());
  if (e.size() > order_bytes) e.resize(order_bytes);  // leftmost bytes
  if (e.size() * 8 > curve.bits) {
    // Drop the surplus low bits (P-521: 7) by shifting right across the bytes.
    const unsigned shift = static_cast<unsigned>(e.size() * 8 - curve.bits);
    for (size_t i = e.size(); i-- > 0;) {
      unsigned v = e[i] >> shift;
      if (i > 0) v |= static_cast<unsigned>(e[i - 1]) << (8 - shift);
      e[i] = static_cast<uint8_t>(v);
    }
  }
  Bytes out(curve.field_bytes - std::min(e.size(), curve.field_bytes), 0);  // left padding
  out.insert(out.end(), e.begin(), e.end());
  return out;
}

Bytes encode_simulator_ecdh(const SimulatorEcdhRequest& q) {
  PayloadWriter w;
  w.u8(kPassSimulatorEcdh).u16(q.key_id).u16(static_cast<uint16_t>(q.peer_point.size()));
  w.bytes(q.peer_point);
  return w.take();
}

SimulatorEcdhRequest decode_simulator_ecdh(ByteView in) {
  PayloadReader r(in, "key exchange");
  if (r.u8() != kPassSimulatorEcdh) throw MalformedPayload("key exchange: not the model's pass");
  SimulatorEcdhRequest q;
  q.key_id = r.u16();
  q.peer_point = r.bytes(r.u16()).to_bytes();
  r.expect_end();
  return q;
}

}  // namespace maxq::wire
