// STORE for maxq1061: URIs (syntax in maxq_uri.h). One URI names one chip
// object, loaded as what it holds:
//  - a persistent key pair: an EC key whose private half stays on the chip,
//    handed to the key manager by reference (ec_key.h) with its public point
//    (just the public key when the application expects one);
//  - a public-key object: the public key only;
//  - a certificate (or, with ;type=cert, a data object): its DER.
// Opening parses the URI only; load asks the chip: list objects (type, curve,
// size) and then one read (the public point, or the certificate in frames).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>
#include <openssl/store.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "provider/algorithms.h"
#include "provider/ec_key.h"
#include "provider/maxq_uri.h"
#include "provider/provider_errors.h"
#include "wire/ec_codec.h"

namespace maxq::provider {
namespace {

OSSL_FUNC_store_open_fn store_open;
OSSL_FUNC_store_settable_ctx_params_fn store_settable_ctx_params;
OSSL_FUNC_store_set_ctx_params_fn store_set_ctx_params;
OSSL_FUNC_store_load_fn store_load;
OSSL_FUNC_store_eof_fn store_eof;
OSSL_FUNC_store_close_fn store_close;

struct StoreContext {
  ProviderContext* ctx = nullptr;
  std::string text;  // the URI as given, for messages
  MaxqUri uri;
  int expect = 0;  // OSSL_STORE_INFO_* the application wants, 0 for any
  bool done = false;
};

std::string serial_hex(const ChipSerial& serial) {
  return to_hex(ByteView(serial));
}

// A load that cannot give what the URI asks for, with the reason to raise.
class Refusal : public std::runtime_error {
 public:
  Refusal(int reason, const std::string& msg) : std::runtime_error(msg), reason_(reason) {}
  int reason() const { return reason_; }

 private:
  int reason_;
};

const char* type_name(wire::ObjectType type) {
  switch (type) {
    case wire::ObjectType::SecretKey:
      return "a secret key";
    case wire::ObjectType::PublicKey:
      return "a public key";
    case wire::ObjectType::KeyPair:
      return "a key pair";
    case wire::ObjectType::Data:
      return "plain data";
    case wire::ObjectType::Counter:
    case wire::ObjectType::CounterAlt:
      return "a counter";
    case wire::ObjectType::Certificate:
      return "a certificate";
  }
  return "an object of unknown type";
}

// Refuses with a message naming the object, the chip and what to do instead.
[[noreturn]] void refuse(const StoreContext& s, const ChipSerial& serial, const std::string& what,
                         int reason = kReasonInvalidKey) {
  char head[160];
  std::snprintf(head, sizeof head, "%s: object 0x%04x on the MAXQ1061 with serial %s ",
                s.text.c_str(), s.uri.id, serial_hex(serial).c_str());
  throw Refusal(reason, head + what);
}

transport::ObjectInfo find_object(const StoreContext& s, const ChipSerial& serial) {
  try {
    return s.ctx->device().object_info(s.uri.id);
  } catch (const transport::ChipError& e) {
    if (e.status() != static_cast<uint16_t>(wire::Status::NotFound)) throw;
  }
  char msg[320];
  std::snprintf(msg, sizeof msg,
                "%s: no object 0x%04x on the MAXQ1061 with serial %s; `maxq1061-tool list` shows "
                "the objects on the chip (is MAXQ1061_DEVICE the right chip?)",
                s.text.c_str(), s.uri.id, serial_hex(serial).c_str());
  throw Refusal(kReasonObjectNotFound, msg);
}

int load_key(const StoreContext& s, const transport::ObjectInfo& info, const ChipSerial& serial,
             OSSL_CALLBACK* cb, void* cbarg) {
  bool pair = info.type == wire::ObjectType::KeyPair;
  if (pair && info.temporary())
    refuse(s, serial, "is a temporary slot for ephemeral keys; only persistent keys load by URI");
  if (!info.initialised) {
    char hint[96];
    std::snprintf(hint, sizeof hint, "holds no key yet; generate one with -pkeyopt id:0x%04x",
                  s.uri.id);
    refuse(s, serial, hint);
  }
  if (info.key && info.key->key_type != static_cast<uint8_t>(wire::KeyType::Ecc))
    refuse(s, serial, "holds a key that is not an EC key", kReasonUnsupportedCurve);
  // Asked for a private key (`openssl pkey -in URI`): a public key object has
  // none on the chip. Without this, OpenSSL says only "Could not read key".
  if (!pair && s.expect == OSSL_STORE_INFO_PKEY) {
    const char* role = s.uri.id == 0x1001   ? " (the admin key)"
                       : s.uri.id == 0x1000 ? " (the key-import key)"
                                            : "";
    char hint[200];
    std::snprintf(hint, sizeof hint,
                  "is a public key%s, not a key pair: the chip holds no private key for it; read "
                  "its public key with `openssl pkey -pubin -in maxq1061:id=0x%04x`",
                  role, s.uri.id);
    refuse(s, serial, hint);
  }
  // The record names no curve: the point read from the chip does.
  transport::PublicKey pub = s.ctx->device().read_public(s.uri.id);
  auto curve = wire::curve_info(pub.curve);
  auto key = std::make_unique<EcKey>(s.ctx);
  key->curve = *curve;
  key->public_point = wire::uncompressed_point(*curve, pub.xy);
  // An application that expects a public key (`pkey -pubin`) gets only that:
  // OpenSSL would drop a key pair as "not what was asked for".
  if (pair && s.expect != OSSL_STORE_INFO_PUBKEY) {
    key->object_id = s.uri.id;
    key->serial = serial;
  }
  if (!ec_key_check_public(*key))
    throw transport::ProtocolError(s.text + ": the MAXQ1061 returned a public key that is not a " +
                                   std::string(curve->sn) + " point");
  // Reference protocol of ec_key.h: the key manager's load() moves the
  // pointer out of `ref`; whatever is left is freed here.
  EcKey* ref = key.get();
  int object_type = OSSL_OBJECT_PKEY;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
      OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE, const_cast<char*>("EC"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &ref, sizeof ref),
      OSSL_PARAM_construct_end(),
  };
  int ok = cb(params, cbarg);
  if (ref == nullptr) (void)key.release();  // the key manager owns it now
  return ok;
}

// A data object holding a bare DER certificate (written before certificates
// had their own import): read until the content ends.
Bytes read_data_object(transport::Device& device, uint16_t id) {
  constexpr size_t kChunk = 1024;
  Bytes out;
  for (;;) {
    Bytes part = device.read_object(id, static_cast<uint16_t>(out.size()), kChunk);
    out.insert(out.end(), part.begin(), part.end());
    if (part.size() < kChunk || out.size() + kChunk > 0xFFFF) return out;
  }
}

int load_certificate(const StoreContext& s, const transport::ObjectInfo& info,
                     const ChipSerial& serial, OSSL_CALLBACK* cb, void* cbarg) {
  if (!info.initialised)
    refuse(s, serial, "is empty; import a certificate with maxq1061-tool import-cert");
  transport::Device& device = s.ctx->device();
  Bytes der = info.type == wire::ObjectType::Certificate ? device.read_certificate(s.uri.id)
                                                         : read_data_object(device, s.uri.id);
  int object_type = OSSL_OBJECT_CERT;
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &object_type),
      OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, der.data(), der.size()),
      OSSL_PARAM_construct_end(),
  };
  return cb(params, cbarg);
}

int load_object(const StoreContext& s, OSSL_CALLBACK* cb, void* cbarg) {
  ChipSerial serial = s.ctx->chip_serial();
  const transport::ObjectInfo info = find_object(s, serial);
  MaxqUri as_key{s.uri.id, MaxqUri::Type::Any};
  MaxqUri as_cert{s.uri.id, MaxqUri::Type::Cert};
  switch (info.type) {
    case wire::ObjectType::KeyPair:
    case wire::ObjectType::PublicKey:
      if (s.uri.type == MaxqUri::Type::Cert)
        refuse(s, serial,
               std::string("is ") + type_name(info.type) + ", not a certificate; load it as " +
                   format_maxq_uri(as_key));
      return load_key(s, info, serial, cb, cbarg);
    case wire::ObjectType::Certificate:
      if (s.uri.type == MaxqUri::Type::Key)
        refuse(s, serial, "is a certificate, not a key; load it as " + format_maxq_uri(as_cert));
      return load_certificate(s, info, serial, cb, cbarg);
    case wire::ObjectType::Data:
      if (s.uri.type == MaxqUri::Type::Cert) return load_certificate(s, info, serial, cb, cbarg);
      refuse(
          s, serial,
          "holds plain data; if it is a DER certificate, load it as " + format_maxq_uri(as_cert));
    default:
      refuse(s, serial,
             std::string("is ") + type_name(info.type) +
                 ", which is neither a key pair, a public key nor a certificate");
  }
}

void* store_open(void* provctx, const char* uri) {
  auto* ctx = static_cast<ProviderContext*>(provctx);
  return guarded(ctx, static_cast<void*>(nullptr), [&]() -> void* {
    std::string error;
    std::string text = uri != nullptr ? uri : "";
    auto parsed = parse_maxq_uri(text, error);
    if (!parsed) {
      // Never echo an over-long URI whole.
      std::string shown = text.size() > 80 ? text.substr(0, 80) + "..." : text;
      raise_error(ctx, kReasonBadUri, "malformed URI '%s': %s; use %s", shown.c_str(),
                  error.c_str(), kUriForm);
      return nullptr;
    }
    auto s = std::make_unique<StoreContext>();
    s->ctx = ctx;
    s->text = format_maxq_uri(*parsed);
    s->uri = *parsed;
    return s.release();
  });
}

const OSSL_PARAM* store_settable_ctx_params(void* /*provctx*/) {
  static const OSSL_PARAM settable[] = {
      OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, nullptr),
      OSSL_PARAM_END,
  };
  return settable;
}

// Other search parameters (subject, fingerprint, ...) do not apply: a URI
// names exactly one object.
int store_set_ctx_params(void* vctx, const OSSL_PARAM params[]) {
  auto* s = static_cast<StoreContext*>(vctx);
  const OSSL_PARAM* p = OSSL_PARAM_locate_const(params, OSSL_STORE_PARAM_EXPECT);
  if (p != nullptr && !OSSL_PARAM_get_int(p, &s->expect)) return 0;
  return 1;
}

int store_load(void* vctx, OSSL_CALLBACK* cb, void* cbarg, OSSL_PASSPHRASE_CALLBACK* /*pw_cb*/,
               void* /*pw_cbarg*/) {
  auto* s = static_cast<StoreContext*>(vctx);
  s->done = true;
  return guarded(s->ctx, 0, [&] {
    try {
      return load_object(*s, cb, cbarg);
    } catch (const Refusal& e) {
      raise_error(s->ctx, e.reason(), "%s", e.what());
      return 0;
    }
  });
}

int store_eof(void* vctx) {
  return static_cast<StoreContext*>(vctx)->done ? 1 : 0;
}

int store_close(void* vctx) {
  std::unique_ptr<StoreContext> owned(static_cast<StoreContext*>(vctx));
  return 1;
}

}  // namespace

#define FN(id, f) \
  { id, reinterpret_cast<void (*)(void)>(f) }
const OSSL_DISPATCH uri_store_functions[] = {
    FN(OSSL_FUNC_STORE_OPEN, store_open),
    FN(OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, store_settable_ctx_params),
    FN(OSSL_FUNC_STORE_SET_CTX_PARAMS, store_set_ctx_params),
    FN(OSSL_FUNC_STORE_LOAD, store_load),
    FN(OSSL_FUNC_STORE_EOF, store_eof),
    FN(OSSL_FUNC_STORE_CLOSE, store_close),
    {0, nullptr},
};
#undef FN

}  // namespace maxq::provider
