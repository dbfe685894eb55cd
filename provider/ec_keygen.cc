// EC key generation on the chip.
//
// Which kind of key a generation makes is decided by the "id" parameter and
// the group's name: libssl's key-share generation and `openssl genpkey` both
// set nothing but the group, libssl by the internal name of this provider's
// TLS groups (kTlsKeyShareGroupPrefix, tls_group_capabilities.h).
//  - "id" set (0x0101, 257, or "auto" for the first free id in 0x0100..0x0FFF):
//    a persistent key-pair object; needs the admin role. Key files and
//    certificates are made from these.
//  - a TLS key share (or "id" "ephemeral"): an EPHEMERAL key in a reusable
//    temporary slot (one chip command). This is what the TLS key share gets
//    when the application prefers this provider (ECDHE offload). Saving such a
//    key is refused with a hint to pass an id, so a forgotten id costs a clear
//    error, never a stray persistent object per handshake.
//  - no "id" otherwise: a software key, as OpenSSL's default provider makes
//    it, so that `openssl genpkey -algorithm EC` and `req -newkey ec` keep
//    working where this provider is preferred for every EC operation
//    (openssl.cnf.example's profile B). Its private key is an ordinary one.
//  - only domain parameters selected (libssl's peer-key skeleton): the curve,
//    no device I/O.
#include "provider/ec_keygen.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <strings.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "provider/ec_key.h"
#include "provider/provider_errors.h"
#include "provider/tls_group_capabilities.h"
#include "transport/errors.h"
#include "wire/ec_codec.h"
#include "wire/object_id.h"

namespace maxq::provider {
namespace {

constexpr const char kIdParam[] = "id";

struct GenContext {
  GenContext(ProviderContext* c, int s) : ctx(c), selection(s) {}
  ProviderContext* ctx;
  int selection;
  std::optional<wire::CurveInfo> curve;
  bool tls_key_share = false;  // the group was named by libssl's key-share generation
  enum class Target { Default, Ephemeral, ObjectId, FreeId } target = Target::Default;
  uint16_t id = 0;
};

bool set_curve(GenContext& gen, const char* name) {
  const size_t prefix = std::strlen(kTlsKeyShareGroupPrefix);
  gen.tls_key_share = std::strncmp(name, kTlsKeyShareGroupPrefix, prefix) == 0;
  if (gen.tls_key_share) name += prefix;
  auto curve = wire::curve_by_name(name);
  // OpenSSL 3.2+ libssl takes the default provider's entry of a group that
  // both providers register, so its key shares name the curve by the default
  // provider's internal name ("prime256v1"), never by ours. There that exact
  // name stands for a key share; the names people type (P-256, group:P-384)
  // still get software keys. (genpkey with ec_paramgen_curve:prime256v1 under
  // profile B then makes an ephemeral chip key, which cannot be saved.)
  if (curve && !gen.tls_key_share && OpenSSL_version_num() >= 0x30200000L &&
      std::strcmp(name, std::string(curve->sn).c_str()) == 0)
    gen.tls_key_share = true;
  if (!curve) {
    raise_error(gen.ctx, kReasonUnsupportedCurve,
                "curve %s is not supported by the MAXQ1061; use P-256, P-384, P-521, "
                "brainpoolP256r1, brainpoolP384r1 or brainpoolP512r1",
                name);
    return false;
  }
  gen.curve = curve;
  return true;
}

bool refuse_id(GenContext& gen, const std::string& why) {
  raise_error(gen.ctx, kReasonInvalidArgument, "%s (or id:auto for a free one)", why.c_str());
  return false;
}

bool set_id(GenContext& gen, const OSSL_PARAM& p) {
  const char* text = nullptr;
  std::string error;
  std::optional<uint16_t> id;
  if (OSSL_PARAM_get_utf8_string_ptr(&p, &text)) {
    if (strcasecmp(text, "auto") == 0) {
      gen.target = GenContext::Target::FreeId;
      return true;
    }
    if (strcasecmp(text, "ephemeral") == 0) {
      gen.target = GenContext::Target::Ephemeral;
      return true;
    }
    id = wire::parse_object_id(text, error, true);
  } else {
    unsigned int n = 0;
    if (!OSSL_PARAM_get_uint(&p, &n)) return refuse_id(gen, "the key id is not a string or number");
    if (n > 0xFFFF || wire::is_reserved_object_id(n))
      return refuse_id(gen, n > 0xFFFF ? "object id " + std::to_string(n) +
                                             " is out of range (ids are 0x0001..0xFFFF)"
                                       : wire::reserved_object_id_error(std::to_string(n)));
    id = static_cast<uint16_t>(n);
  }
  if (!id) return refuse_id(gen, error);
  gen.target = GenContext::Target::ObjectId;
  gen.id = *id;
  return true;
}

// "encoding" and "point-format" are accepted for compatibility with
// `-pkeyopt ec_param_enc:named_curve`; the chip knows no other forms.
bool check_fixed(GenContext& gen, const OSSL_PARAM* params, const char* key, const char* only) {
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, key);
  const char* v = nullptr;
  if (p == nullptr) return true;
  if (OSSL_PARAM_get_utf8_string_ptr(p, &v) && strcasecmp(v, only) == 0) return true;
  raise_error(gen.ctx, kReasonInvalidArgument, "%s must be %s for keys on the MAXQ1061", key, only);
  return false;
}

uint16_t pick_free_id(transport::Device& device) {
  std::vector<bool> taken(wire::kLastAutoKeyId - wire::kFirstAutoKeyId + 1);
  for (uint16_t id : device.object_ids())
    if (id >= wire::kFirstAutoKeyId && id <= wire::kLastAutoKeyId)
      taken[id - wire::kFirstAutoKeyId] = true;
  for (size_t i = 0; i < taken.size(); ++i)
    if (!taken[i]) return static_cast<uint16_t>(wire::kFirstAutoKeyId + i);
  throw transport::ChipError(static_cast<uint8_t>(wire::Command::CreateObject),
                             static_cast<uint16_t>(wire::Status::MemoryFull),
                             "no free object id between 0x0100 and 0x0fff on the MAXQ1061; delete "
                             "unused keys with maxq1061-tool delete or give an explicit id");
}

void set_generated_point(EcKey& key, const transport::PublicKey& pub) {
  key.public_point = wire::uncompressed_point(*key.curve, pub.xy);  // empty: wrong size
  if (pub.curve != key.curve->curve || !ec_key_check_public(key))
    throw transport::ProtocolError(
        "the MAXQ1061 answered key generation with a public key that "
        "is not a point on " +
        std::string(key.curve->sn));
}

void generate_persistent(GenContext& gen, EcKey& key) {
  ProviderContext& ctx = *gen.ctx;
  const transport::CredentialKey& key_import = ctx.key_import_key();  // before any chip change
  transport::Device& device = ctx.device();
  wire::Curve curve = key.curve->curve;
  uint16_t id = gen.id;
  transport::PublicKey pub;
  ctx.as_admin([&] {
    if (gen.target == GenContext::Target::FreeId) id = pick_free_id(device);
    try {
      device.create_object(transport::ObjectSpec::key_pair(id, curve));
    } catch (const transport::ChipError& e) {
      if (e.status() != static_cast<uint16_t>(wire::Status::BadParameter)) throw;
      char msg[200];
      std::snprintf(msg, sizeof msg,
                    "object 0x%04x already exists on the MAXQ1061; give another id (-pkeyopt "
                    "id:auto picks a free one) or delete it with maxq1061-tool delete",
                    id);
      throw transport::ChipError(e.command(), e.status(), msg);
    }
    try {
      pub = device.generate_key(id, curve, key_import);
    } catch (...) {
      try {
        device.delete_object(id);  // leave no empty object behind
      } catch (const std::exception&) {
      }
      throw;
    }
  });
  key.object_id = id;
  key.serial = ctx.chip_serial();
  set_generated_point(key, pub);
  ctx.trace("generated a %s key in object 0x%04x", std::string(key.curve->sn).c_str(), id);
}

void generate_ephemeral(GenContext& gen, EcKey& key) {
  ProviderContext& ctx = *gen.ctx;
  // An ephemeral chip key exists for on-chip ECDH, which real parts lack:
  // refused here, before a slot is spent, with what to use instead.
  ctx.device().require_raw_ecdh("ephemeral key generation for on-chip ECDH(E)");
  std::shared_ptr<TemporaryKeySlots::Lease> slot = ctx.lease_temporary_slot(key.curve->curve);
  if (!slot) {
    // Every temporary slot holds a live key: this one is made in software
    // rather than failing the handshake.
    std::string group(key.curve->sn);
    ossl::PkeyPtr pkey(EVP_PKEY_Q_keygen(ctx.software_libctx(), nullptr, "EC", group.c_str()));
    if (!ec_key_adopt_software_pair(key, std::move(pkey)))
      throw std::runtime_error("cannot generate an ephemeral " + group + " key in software");
    ctx.trace("all temporary slots busy: ephemeral %s key made in software", group.c_str());
    return;
  }
  transport::PublicKey pub = ctx.device().generate_key(
      slot->id(), key.curve->curve, ctx.key_import_key(), transport::KeyUse::key_exchange());
  key.object_id = slot->id();
  key.temporary = true;
  key.slot = std::move(slot);
  key.serial = ctx.chip_serial();
  set_generated_point(key, pub);
}

// A key asked for without an id that is no TLS key share: made in software.
void generate_software(GenContext& gen, EcKey& key) {
  std::string group(key.curve->sn);
  ossl::PkeyPtr pkey(EVP_PKEY_Q_keygen(gen.ctx->software_libctx(), nullptr, "EC", group.c_str()));
  if (!ec_key_adopt_software_pair(key, std::move(pkey)))
    throw std::runtime_error("cannot generate an EC key on " + group + " in software");
  gen.ctx->trace(
      "no object id given: %s key made in software (pass -pkeyopt id:0x0101 or "
      "id:auto for a key on the chip)",
      group.c_str());
}

}  // namespace

void* ec_gen_init(void* provctx, int selection, const OSSL_PARAM params[]) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  return guarded(ctx, static_cast<void*>(nullptr), [&]() -> void* {
    auto gen = std::make_unique<GenContext>(ctx, selection);
    if (!ec_gen_set_params(gen.get(), params)) return nullptr;
    return gen.release();
  });
}

int ec_gen_set_template(void* genctx, void* templ) {
  auto* gen = static_cast<GenContext*>(genctx);
  const auto* key = static_cast<const EcKey*>(templ);
  if (key == nullptr || !key->curve) {
    raise_error(gen->ctx, kReasonInvalidKey, "the key generation template has no curve");
    return 0;
  }
  gen->curve = key->curve;
  // TLS 1.2's client key share is generated on the server's share as template.
  gen->tls_key_share = gen->tls_key_share || key->tls_key_share;
  return 1;
}

int ec_gen_set_params(void* genctx, const OSSL_PARAM params[]) {
  auto* gen = static_cast<GenContext*>(genctx);
  if (params == nullptr) return 1;
  return guarded(gen->ctx, 0, [&] {
    if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME)) {
      const char* name = nullptr;
      if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || !set_curve(*gen, name)) return 0;
    }
    if (const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, kIdParam))
      if (!set_id(*gen, *p)) return 0;
    if (!check_fixed(*gen, params, OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_GROUP) ||
        !check_fixed(*gen, params, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                     OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED))
      return 0;
    return 1;
  });
}

const OSSL_PARAM* ec_gen_settable_params(void*, void*) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
      OSSL_PARAM_utf8_string(kIdParam, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
      OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
      OSSL_PARAM_END,
  };
  return settable;
}

void* ec_gen(void* genctx, OSSL_CALLBACK*, void*) {
  auto* gen = static_cast<GenContext*>(genctx);
  return guarded(gen->ctx, static_cast<void*>(nullptr), [&]() -> void* {
    if (!gen->curve) {
      raise_error(gen->ctx, kReasonInvalidArgument,
                  "no curve given for the EC key: set the group (e.g. -pkeyopt group:P-256)");
      return nullptr;
    }
    auto key = std::make_unique<EcKey>(gen->ctx);
    key->curve = gen->curve;
    key->tls_key_share = gen->tls_key_share;
    if ((gen->selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0) return key.release();
    GenContext::Target target = gen->target;
    if (target == GenContext::Target::Default)
      target = gen->tls_key_share ? GenContext::Target::Ephemeral : GenContext::Target::Default;
    if (target == GenContext::Target::Default)
      generate_software(*gen, *key);
    else if (target == GenContext::Target::Ephemeral)
      generate_ephemeral(*gen, *key);
    else
      generate_persistent(*gen, *key);
    return key.release();
  });
}

void ec_gen_cleanup(void* genctx) {
  std::unique_ptr<GenContext>(static_cast<GenContext*>(genctx));
}

}  // namespace maxq::provider
