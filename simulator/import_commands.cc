// Import key 0xCA (§4.13): a key descriptor signed by the key-import key
// (0x1000) either generates a key pair on the chip (total length 0) or
// imports a public key (X || Y) or a key pair (X || Y || d).
#include "simulator/chip_core.h"

namespace maxq::sim {

using wire::Status;

Reply ChipCore::import_key(Transaction& t, ByteView p) {
  wire::SignedImport s = wire::decode_signed_import(p, "import key");
  struct Wipe {  // the body may hold a private scalar
    Bytes& b;
    ~Wipe() { secure_zero(b.data(), b.size()); }
  } wipe{s.body};
  if (Status outer = check_signed_import(t, s); outer != Status::Ok) return Reply::error(outer);

  ByteView material;
  wire::KeyDescriptor d = wire::decode_key_descriptor(s.body, material);
  if (d.key_type != static_cast<uint8_t>(wire::KeyType::Ecc))
    return Reply::error(Status::BadKeyType);
  auto curve = wire::curve_info(d.curve);
  if (!curve) return Reply::error(Status::CurveNotSupported);
  if (d.component_length != curve->field_bytes) return Reply::error(Status::WrongLength);
  const bool generate = d.total_length == 0;
  wire::ObjectType wanted = wire::ObjectType::KeyPair;
  if (d.total_length == 2 * curve->field_bytes) {
    wanted = wire::ObjectType::PublicKey;
  } else if (!generate && d.total_length != 3 * curve->field_bytes) {
    return Reply::error(Status::WrongLength);
  }

  Object* o = t.objects.find(s.object_id);
  if (!o) return Reply::error(Status::NotFound);
  if (o->type != wanted) return Reply::error(Status::BadParameter);
  if (!allowed(t, *o, generate ? wire::Operation::Generate : wire::Operation::Write))
    return Reply::error(Status::AccessDenied);
  // MODELLED: an object created for another curve's capacity is refused
  // with "inconsistent length".
  if (o->length != wire::key_object_capacity(wanted, *curve))
    return Reply::error(Status::WrongSize);
  key_curve_ = curve->curve;

  const size_t n = curve->field_bytes;
  if (generate) {
    KeyPairMaterial k = crypto_.generate(*curve);
    o->set_key(curve->curve, std::move(k.public_xy), std::move(k.private_scalar));
    o->cached_key = std::move(k.key);  // an ephemeral key is used once: no re-import
  } else if (wanted == wire::ObjectType::PublicKey) {
    ossl::PkeyPtr key = crypto_.public_key(*curve, material);
    if (!key) return Reply::error(Status::BadParameter);  // not a point on the curve
    o->set_key(curve->curve, material.to_bytes(), SecretBytes());
    o->cached_key = std::move(key);
  } else {
    ByteView xy = material.subview(0, 2 * n), scalar = material.subview(2 * n, n);
    ossl::PkeyPtr key = crypto_.checked_key_pair(*curve, scalar, xy);
    if (!key) return Reply::error(Status::BadParameter);  // d * G is not (X, Y)
    o->set_key(curve->curve, xy.to_bytes(), SecretBytes(scalar));
    o->cached_key = std::move(key);
  }
  o->policy = wire::KeyPolicy{d.key_type, d.usage1, d.algorithm1, d.usage2, d.algorithm2};
  t.save = !o->temporary();
  // The SDK reads no answer, also after a generation: the host reads the new
  // public key with read object.
  return Reply::ok();
}

}  // namespace maxq::sim
