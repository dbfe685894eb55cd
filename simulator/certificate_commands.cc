// Import root certificate 0xCB (§4.14): a certificate request (24-byte header
// and DER) signed by the key-import key, stored whole in a certificate object
// and read back by read object.
#include "simulator/chip_core.h"
#include "wire/certificate_layout.h"

namespace maxq::sim {

using wire::Status;

namespace {

// MODELLED: whether the header describes the DER that follows it; any
// mismatch is ConsistencyError ("bad certificate data format").
bool header_matches(const wire::CertificateHeader& h, ByteView der, const wire::CurveInfo& curve) {
  auto parts = wire::certificate_parts(der);
  if (!parts) return false;
  const size_t n = curve.field_bytes;
  return h.der_length == parts->der_length && h.tbs_offset == parts->tbs_offset &&
         h.tbs_length == parts->tbs_length && h.public_key_offset == parts->public_key_offset &&
         h.component_length == n && h.public_key_length == 2 * n &&
         parts->public_key_bytes == 1 + 2 * n && der[parts->public_key_offset] == 0x04;
}

}  // namespace

Reply ChipCore::import_root_certificate(Transaction& t, ByteView p) {
  wire::SignedImport s = wire::decode_signed_import(p, "import root certificate");
  if (Status outer = check_signed_import(t, s); outer != Status::Ok) return Reply::error(outer);

  wire::CertificateHeader h = wire::decode_certificate_header(s.body);
  ByteView der = ByteView(s.body).subview(wire::kCertificateHeaderBytes);
  if (h.key_type != static_cast<uint8_t>(wire::KeyType::Ecc))
    return Reply::error(Status::BadKeyType);
  auto curve = wire::curve_info(h.curve);
  if (!curve) return Reply::error(Status::CurveNotSupported);
  if (!header_matches(h, der, *curve)) return Reply::error(Status::ConsistencyError);
  ByteView point = der.subview(h.public_key_offset + 1, 2 * curve->field_bytes);
  if (!crypto_.public_key(*curve, point)) return Reply::error(Status::ConsistencyError);

  Object* o = t.objects.find(s.object_id);
  if (!o) return Reply::error(Status::NotFound);
  if (o->type != wire::ObjectType::Certificate) return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, wire::Operation::Write)) return Reply::error(Status::AccessDenied);
  if (s.body.size() > o->length) return Reply::error(Status::OutOfBounds);
  // MODELLED: the model does not check the certificate's own signature (nor
  // its parent): the key-import key's signature authorises the import.
  o->data = std::move(s.body);
  o->policy = wire::KeyPolicy{h.key_type, h.usage1, h.algorithm1, h.usage2, h.algorithm2};
  t.save = !o->temporary();
  return Reply::ok();
}

}  // namespace maxq::sim
