#include <cstdio>
#include <string>

#include "tools/commands.h"
#include "tools/json_writer.h"

namespace maxq::tool {
namespace {

std::string roles_text(uint8_t roles) {
  if (roles == 0) return "-";
  std::string s;
  auto add = [&](uint8_t bit, const char* name) {
    if (roles & bit) s += (s.empty() ? "" : "+") + std::string(name);
  };
  add(wire::kRoleAdmin, "admin");
  add(wire::kRoleSecureBoot, "secure-boot");
  add(wire::kRoleHost, "host");
  add(wire::kRoleEveryone, "everyone");
  return s;
}

// Rules in the chip's current lifecycle state, e.g. "read=everyone write=admin ...".
std::string rules_text(const transport::ObjectInfo& o, wire::Lifecycle state) {
  static const std::pair<wire::Operation, const char*> ops[] = {
      {wire::Operation::Read, "read"},         {wire::Operation::Write, "write"},
      {wire::Operation::Delete, "delete"},     {wire::Operation::Generate, "generate"},
      {wire::Operation::Execute, "execute"}};
  std::string s;
  for (auto [op, name] : ops) {
    if (!s.empty()) s += ' ';
    s += std::string(name) + "=" + roles_text(wire::rule_roles(o.rules, state, op));
  }
  return s;
}

}  // namespace

int run_list(ToolContext& ctx, const Args&) {
  wire::Lifecycle state = ctx.device().status().lifecycle;
  std::vector<transport::ObjectInfo> objects = ctx.device().list_objects();
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object().field("device", ctx.device_string()).field("lifecycle", lifecycle_name(state));
    j.begin_array("objects");
    for (const auto& o : objects) {
      j.begin_object()
          .field("id", format_id(o.id))
          .field("type", object_type_name(o.type))
          .field("temporary", o.property == wire::ObjectProperty::Temporary)
          .field("curve", o.curve ? std::string(wire::curve_info(static_cast<uint8_t>(*o.curve))->sn)
                                  : std::string())
          .field("length", uint64_t{o.length})
          .field("used", uint64_t{o.used})
          .field("rules", rules_text(o, state))
          .end_object();
    }
    j.end_array().end_object();
    std::printf("%s\n", j.str().c_str());
    return kExitOk;
  }
  std::printf("%-7s %-12s %-10s %-16s %6s %6s  access rules in lifecycle '%s'\n", "id", "type",
              "storage", "curve", "length", "used", lifecycle_name(state).c_str());
  for (const auto& o : objects) {
    std::string curve = o.curve ? std::string(wire::curve_info(static_cast<uint8_t>(*o.curve))->sn)
                                : "-";
    std::printf("%-7s %-12s %-10s %-16s %6u %6u  %s\n", format_id(o.id).c_str(),
                object_type_name(o.type).c_str(),
                o.property == wire::ObjectProperty::Temporary ? "temporary" : "persistent",
                curve.c_str(), o.length, o.used, rules_text(o, state).c_str());
  }
  return kExitOk;
}

}  // namespace maxq::tool
