#include <cstdio>
#include <string>

#include "tools/chip_names.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "wire/certificate_layout.h"

namespace maxq::tool {
namespace {

struct Listed {
  transport::ObjectInfo info;
  std::string curve;  // of the key (or the certified key); "" when not known
  std::string note;   // why the curve is not shown
};

// "P-256" where the curve has a NIST name, else OpenSSL's ("brainpoolP256r1").
std::string curve_display(const wire::CurveInfo& c) {
  return std::string(c.nist.empty() ? c.sn : c.nist);
}

bool is_key_object(wire::ObjectType t) {
  return t == wire::ObjectType::KeyPair || t == wire::ObjectType::PublicKey;
}

// The curve of an initialised key or certificate object, read from the chip
// when everyone may read it (the tool holds no role while listing).
void find_curve(transport::Device& dev, wire::Lifecycle state, Listed& l) {
  const transport::ObjectInfo& o = l.info;
  bool cert = o.type == wire::ObjectType::Certificate;
  if (!o.initialised || !(is_key_object(o.type) || cert)) return;
  if (wire::rule_roles(o.rules, state, wire::Operation::Read) != wire::kRoleAlways) {
    l.note = "not readable";
    return;
  }
  try {
    if (cert) {
      wire::CertificateHeader h =
          wire::decode_certificate_header(dev.read_object(o.id, 0, wire::kCertificateHeaderBytes));
      if (auto c = wire::curve_info(h.curve)) l.curve = curve_display(*c);
    } else {
      l.curve = curve_display(*wire::curve_info(dev.read_public(o.id).curve));
    }
  } catch (const transport::ChipError&) {
    l.note = "read refused";
  } catch (const transport::ProtocolError&) {
    l.note = "unreadable";
  } catch (const MalformedPayload&) {
    l.note = "unreadable";
  }
}

std::string policy_text(const wire::KeyPolicy& k) {
  std::string s = key_usage_name(k.usage1) + "/" + algorithm_name(k.algorithm1);
  if (k.usage2 != static_cast<uint8_t>(wire::KeyUsage::None))
    s += "+" + key_usage_name(k.usage2) + "/" + algorithm_name(k.algorithm2);
  return s;
}

}  // namespace

int run_list(ToolContext& ctx, const Args&) {
  transport::Device& dev = ctx.device();
  wire::Lifecycle state = dev.status().lifecycle;
  std::vector<Listed> objects;
  for (uint16_t id : dev.object_ids()) objects.push_back({dev.object_info(id), "", ""});
  for (Listed& l : objects) find_curve(dev, state, l);

  if (ctx.json()) {
    JsonWriter j;
    j.begin_object().field("device", ctx.device_string()).field("lifecycle", lifecycle_name(state));
    j.begin_array("objects");
    for (const Listed& l : objects) {
      const transport::ObjectInfo& o = l.info;
      j.begin_object()
          .field("id", format_id(o.id))
          .field("type", object_type_name(o.type))
          .field("properties", object_properties_text(o.properties))
          .field("temporary", o.temporary())
          .field("state", o.initialised ? "initialised" : "empty")
          .field("capacity", uint64_t{o.length})
          .field("curve", l.curve)
          .field("access", access_rule_text(o.rules, state))
          .field("access_rules", access_rules_text(o.rules));
      if (o.key) {
        j.begin_object("key")
            .field("key_type", key_type_name(o.key->key_type))
            .field("usage1", key_usage_name(o.key->usage1))
            .field("algorithm1", algorithm_name(o.key->algorithm1))
            .field("usage2", key_usage_name(o.key->usage2))
            .field("algorithm2", algorithm_name(o.key->algorithm2))
            .end_object();
      }
      j.end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return kExitOk;
  }
  // Access conditions in the SDK's rule syntax: roles a(dmin) s(ecure boot)
  // h(ost) x(always); operations r(ead) w(rite) d(elete) g(enerate) x(ecute).
  std::string access_title = "access (" + lifecycle_name(state) + ")";
  std::printf("%-7s %-12s %-26s %-11s %5s  %-16s %-26s %s\n", "id", "type", "properties", "state",
              "bytes", "curve", access_title.c_str(), "key policy");
  for (const Listed& l : objects) {
    const transport::ObjectInfo& o = l.info;
    std::string curve = !l.curve.empty() ? l.curve : !l.note.empty() ? "(" + l.note + ")" : "-";
    std::string policy = o.key ? key_type_name(o.key->key_type) + " " + policy_text(*o.key) : "-";
    std::printf("%-7s %-12s %-26s %-11s %5u  %-16s %-26s %s\n", format_id(o.id).c_str(),
                object_type_name(o.type).c_str(), object_properties_text(o.properties).c_str(),
                o.initialised ? "initialised" : "empty", o.length, curve.c_str(),
                access_rule_text(o.rules, state).c_str(), policy.c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
