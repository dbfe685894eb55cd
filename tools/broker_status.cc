#include "tools/broker_status.h"

#include <cstdio>
#include <string>

#include "transport/broker_link.h"

namespace maxq::tool {

void add_broker_status(ToolContext& ctx, JsonWriter* json) {
  auto* link = dynamic_cast<transport::BrokerLink*>(&ctx.device().link());
  if (!link) return;
  broker::BrokerStatus s = link->daemon_status();
  if (json) {
    json->begin_object("broker")
        .field("device", s.device)
        .field("device_ok", s.device_ok)
        .field("uptime_seconds", uint64_t{s.uptime_seconds})
        .field("max_clients", uint64_t{s.max_clients})
        .field("connections", s.connections)
        .field("refused", s.refused)
        .field("commands", s.commands)
        .field("own_commands", s.own_commands)
        .field("bytes_in", s.bytes_in)
        .field("bytes_out", s.bytes_out)
        .field("retries", s.retries)
        .field("failures", s.failures)
        .field("admin_sessions", s.admin_sessions)
        .field("hold_expiries", s.hold_expiries)
        .field("temporaries_freed", s.temporaries_freed)
        .field("chip_busy_us", s.busy_us)
        .begin_array("clients");
    for (const broker::ClientStatus& c : s.clients)
      json->begin_object()
          .field("id", c.id)
          .field("pid", uint64_t(static_cast<uint32_t>(c.pid)))
          .field("uid", uint64_t{c.uid})
          .field("gid", uint64_t{c.gid})
          .field("commands", c.commands)
          .field("temporary_objects", uint64_t{c.temporary_objects})
          .field("holds_chip", c.holds_chip)
          .field("connected_seconds", uint64_t{c.connected_seconds})
          .end_object();
    json->end_array().end_object();
    return;
  }
  std::printf(
      "broker     maxq1061d serving %s (%s), up %u s\n"
      "clients    %zu of at most %u connected; %llu connections, %llu refused\n"
      "commands   %llu for clients, %llu its own; %llu retried, %llu failed\n"
      "admin      %llu sessions, %llu ended for idling; %llu temporary objects freed\n",
      s.device.c_str(), s.device_ok ? "device open" : "DEVICE UNAVAILABLE", s.uptime_seconds,
      s.clients.size(), s.max_clients, static_cast<unsigned long long>(s.connections),
      static_cast<unsigned long long>(s.refused), static_cast<unsigned long long>(s.commands),
      static_cast<unsigned long long>(s.own_commands), static_cast<unsigned long long>(s.retries),
      static_cast<unsigned long long>(s.failures),
      static_cast<unsigned long long>(s.admin_sessions),
      static_cast<unsigned long long>(s.hold_expiries),
      static_cast<unsigned long long>(s.temporaries_freed));
  for (const broker::ClientStatus& c : s.clients)
    std::printf(
        "  client %llu: pid %d uid %u gid %u, %llu commands, %u temporary objects%s, %u s\n",
        static_cast<unsigned long long>(c.id), static_cast<int>(c.pid), c.uid, c.gid,
        static_cast<unsigned long long>(c.commands), c.temporary_objects,
        c.holds_chip ? ", holds the chip (admin sequence)" : "", c.connected_seconds);
}

}  // namespace maxq::tool
