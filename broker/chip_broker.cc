#include "broker/chip_broker.h"

#include <algorithm>

#include "wire/admin_layout.h"
#include "wire/key_layout.h"
#include "wire/object_layout.h"
#include "wire/protocol.h"

namespace maxq::broker {
namespace {

std::string hex16(uint16_t v) {
  static const char* digits = "0123456789abcdef";
  std::string s = "0x";
  for (int shift = 12; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xF];
  return s;
}

}  // namespace

ChipBroker::ChipBroker(DeviceOwner& device, IsolationSettings settings, const Log& log)
    : device_(device), settings_(std::move(settings)), log_(log) {}

Bytes ChipBroker::answer(uint16_t status) const {
  return encode_message(MessageType::Response, wire::encode_response(status, ByteView()));
}

Bytes ChipBroker::refuse(ErrorCode code, const std::string& message) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  return encode_error(code, message);
}

bool ChipBroker::may_manage(const ClientInfo& c) const {
  if (settings_.manage_users.empty() && settings_.manage_groups.empty()) return true;
  if (c.uid == 0) return true;
  auto has = [](const auto& list, auto v) {
    return std::find(list.begin(), list.end(), v) != list.end();
  };
  if (has(settings_.manage_users, c.uid) || has(settings_.manage_groups, c.gid)) return true;
  for (gid_t g : c.groups)
    if (has(settings_.manage_groups, g)) return true;
  return false;
}

bool ChipBroker::own_command(wire::Command cmd, ByteView payload, const std::string& why) {
  Bytes frame = wire::encode_command(cmd, payload);
  ExchangeResult r = device_.exchange(frame, static_cast<uint8_t>(cmd), 0);
  own_commands_.fetch_add(1, std::memory_order_relaxed);
  challenge_.after_command(0, CommandClass::Other, false);
  const bool ok = r.kind == ExchangeResult::Kind::Answered && r.status == 0;
  if (!ok)
    log_.warning(why + ": " + std::string(wire::command_name(static_cast<uint8_t>(cmd))) +
                 (r.kind == ExchangeResult::Kind::Answered
                      ? " answered " + std::string(wire::status_name(r.status)) + " (" +
                            hex16(r.status) + ")"
                      : " failed: " + r.message));
  return ok;
}

void ChipBroker::end_expired_hold(ClientId client, HoldKind kind) {
  hold_expiries_.fetch_add(1, std::memory_order_relaxed);
  if (kind == HoldKind::Admin) {
    log_.warning("client " + std::to_string(client) +
                 "'s admin session stayed idle for more than " +
                 std::to_string(settings_.admin_hold.count()) +
                 " ms while other clients waited: the daemon ended it (admin reset); raise "
                 "--admin-hold-ms if admin work needs longer pauses");
    own_command(wire::Command::AdminAuthenticate, wire::encode_admin_reset(),
                "ending an expired admin session");
  } else {
    log_.info("client " + std::to_string(client) + " did not log in within " +
              std::to_string(settings_.challenge_hold.count()) +
              " ms of its challenge while other clients waited: released the chip "
              "(--challenge-hold-ms)");
  }
  challenge_.clear();
}

void ChipBroker::on_device_open(transport::Device& device) {
  // A (re)opened chip may have been reset: whatever was held is gone.
  temporaries_.forget_all();
  challenge_.clear();
  if (ClientId h = scheduler_.hold_owner(); h != 0) {
    log_.warning("client " + std::to_string(h) +
                 " lost its admin sequence: the device was reopened");
    scheduler_.set_hold(h, HoldKind::None, {});
  }
  ++generation_;
  // No client can hold an admin condition or temporary objects on a chip the
  // daemon has just opened: end and free what a previous owner left.
  own_command(wire::Command::AdminAuthenticate, wire::encode_admin_reset(),
              "admin reset after opening the device");
  std::vector<transport::ObjectInfo> objects;
  try {
    objects = device.list_objects();
  } catch (const transport::Error& e) {
    log_.warning(std::string("cannot list the chip's objects to free stale temporary ones: ") +
                 e.what());
    return;
  }
  for (const transport::ObjectInfo& o : objects) {
    if (!o.temporary()) continue;
    if (own_command(wire::Command::DeleteObject, wire::encode_object_id(o.id),
                    "freeing stale temporary object " + hex16(o.id)))
      temporaries_freed_.fetch_add(1, std::memory_order_relaxed);
  }
}

Bytes ChipBroker::run(ClientInfo& client, const wire::CommandFrame& cmd, ByteView frame,
                      size_t expected_payload) {
  bytes_in_.fetch_add(frame.size(), std::memory_order_relaxed);
  const CommandClass cls = classify(cmd.command, cmd.payload);
  const std::optional<uint16_t> object = named_object(cmd.command, cmd.payload);
  const bool is_create = cmd.command == static_cast<uint8_t>(wire::Command::CreateObject);
  const bool is_delete = cmd.command == static_cast<uint8_t>(wire::Command::DeleteObject);

  // Who may create and delete (no turn needed: nothing on the chip is asked).
  if (is_create || is_delete) {
    std::optional<CreateRequest> create = is_create ? parse_create(cmd.payload) : std::nullopt;
    const bool own_temporary = (create && create->temporary) ||
                               (is_delete && object && temporaries_.owner(*object) == client.id);
    if (!own_temporary && !may_manage(client)) {
      log_.warning(client.label + ": refused " + std::string(wire::command_name(cmd.command)) +
                   (object ? " " + hex16(*object) : std::string()) +
                   ": its uid and groups are not in --manage-users/--manage-groups");
      return refuse(ErrorCode::Forbidden,
                    "maxq1061d refuses " + std::string(wire::command_name(cmd.command)) +
                        " to uid " + std::to_string(client.uid) +
                        ": creating and deleting objects is limited to the users and groups in "
                        "its --manage-users/--manage-groups setting (OPTIONS in "
                        "/etc/default/maxq1061d); run this as one of them or add this user");
    }
  }

  // The simulator's raw-ECDH extension never goes to a real part.
  if (device_.reaches_hardware() &&
      cmd.command == static_cast<uint8_t>(wire::Command::KeyExchange) && !cmd.payload.empty() &&
      cmd.payload[0] == wire::kPassSimulatorEcdh)
    return refuse(ErrorCode::Unsupported,
                  "key exchange on " + device_.describe() +
                      " (served by maxq1061d): a MAXQ1061 returns no raw ECDH secret (its ECDH "
                      "lives inside its TLS 1.2 engine); on-chip ECDH(E) is an extension of the "
                      "simulated chip only. Keep ECDHE in software with the identity key on the "
                      "chip (profile A of openssl.cnf.example: no default_properties line)");

  std::optional<ChipScheduler::Turn> turn = scheduler_.acquire(client.id);
  if (!turn)
    return refuse(ErrorCode::ShuttingDown,
                  "maxq1061d is shutting down (SIGTERM); the command did not run. The next "
                  "command reconnects once the daemon runs again");
  if (turn->expired_client() != 0) end_expired_hold(turn->expired_client(), turn->expired_kind());
  HoldKind before = scheduler_.hold_of(client.id);
  const auto settle = [&](bool ok) {
    HoldKind after = next_hold(before, cls, ok);
    if (after == HoldKind::Admin && before != HoldKind::Admin) {
      admin_sessions_.fetch_add(1, std::memory_order_relaxed);
      log_.info(client.label +
                " logged in as admin: the chip serves only it until its admin "
                "reset or disconnect");
    } else if (before == HoldKind::Admin && after != HoldKind::Admin) {
      log_.info(client.label + " ended its admin session");
    }
    auto hold_for = after == HoldKind::Admin ? settings_.admin_hold : settings_.challenge_hold;
    scheduler_.set_hold(client.id, after, ChipScheduler::Clock::now() + hold_for);
  };

  // Another client's temporary object: refused as the chip refuses a role it
  // lacks. (A create of a taken id goes to the chip: "id exists" is what
  // callers expect and skip.)
  if (object && !is_create) {
    ClientId owner = temporaries_.owner(*object);
    if (owner != 0 && owner != client.id) {
      log_.debug(client.label + ": refused " + std::string(wire::command_name(cmd.command)) +
                 " on temporary object " + hex16(*object) + " of client " + std::to_string(owner));
      challenge_.after_command(client.id, CommandClass::Other, false);
      settle(false);
      return answer(static_cast<uint16_t>(wire::Status::AccessDenied));
    }
  }
  // A login that is not the very next command after this client's own
  // challenge: the chip would have no challenge for it; never another's.
  if (cls == CommandClass::AdminLogin && !challenge_.may_log_in(client.id)) {
    log_.info(client.label +
              ": refused an admin login that did not directly follow its own challenge");
    challenge_.clear();
    settle(false);
    return answer(static_cast<uint16_t>(wire::Status::NotAllowed));
  }

  const uint64_t generation = generation_;
  const auto start = std::chrono::steady_clock::now();
  ExchangeResult r = device_.exchange(frame, cmd.command, expected_payload);
  busy_us_.fetch_add(std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count(),
                     std::memory_order_relaxed);
  commands_.fetch_add(1, std::memory_order_relaxed);
  client.commands.fetch_add(1, std::memory_order_relaxed);
  if (generation != generation_) before = HoldKind::None;  // the device was reopened
  const bool ok = r.kind == ExchangeResult::Kind::Answered && r.status == 0;
  challenge_.after_command(client.id, cls, ok);
  if (ok && is_create) {
    std::optional<CreateRequest> create = parse_create(cmd.payload);
    if (create && create->temporary) temporaries_.created(client.id, create->id);
  }
  if (ok && is_delete && object) temporaries_.deleted(*object);
  settle(ok);
  if (r.kind != ExchangeResult::Kind::Answered) {
    log_.warning(client.label + ": " + r.message);
    return refuse(r.kind == ExchangeResult::Kind::Unavailable ? ErrorCode::DeviceUnavailable
                                                              : ErrorCode::MayHaveRun,
                  r.message);
  }
  bytes_out_.fetch_add(r.response.size(), std::memory_order_relaxed);
  Bytes message = encode_message(MessageType::Response, r.response);
  secure_zero(r.response.data(), r.response.size());  // may carry an ECDH secret
  return message;
}

void ChipBroker::client_gone(ClientInfo& client) {
  if (scheduler_.hold_of(client.id) == HoldKind::None && temporaries_.count(client.id) == 0) {
    return;
  }
  std::optional<ChipScheduler::Turn> turn = scheduler_.acquire(client.id, /*cleanup=*/true);
  if (turn->expired_client() != 0) end_expired_hold(turn->expired_client(), turn->expired_kind());
  if (scheduler_.hold_of(client.id) == HoldKind::Admin) {
    log_.info(client.label + " went away in its admin session: the daemon ended it (admin reset)");
    own_command(wire::Command::AdminAuthenticate, wire::encode_admin_reset(),
                "ending the admin session of a departed client");
  }
  scheduler_.set_hold(client.id, HoldKind::None, {});
  if (challenge_.owner() == client.id) challenge_.clear();
  std::vector<uint16_t> ids = temporaries_.owned_by(client.id);
  for (uint16_t id : ids) {
    if (own_command(wire::Command::DeleteObject, wire::encode_object_id(id),
                    "freeing temporary object " + hex16(id) + " of " + client.label))
      temporaries_freed_.fetch_add(1, std::memory_order_relaxed);
    temporaries_.deleted(id);
  }
  if (!ids.empty())
    log_.debug(client.label + ": freed " + std::to_string(ids.size()) + " temporary object(s)");
}

void ChipBroker::stop() {
  scheduler_.stop();
}

void ChipBroker::fill_status(BrokerStatus& out) const {
  out.device = device_.describe();
  out.device_ok = device_.available();
  out.commands = commands_.load();
  out.own_commands = own_commands_.load();
  out.bytes_in = bytes_in_.load();
  out.bytes_out = bytes_out_.load();
  out.retries = device_.retries();
  out.failures = failures_.load();
  out.admin_sessions = admin_sessions_.load();
  out.hold_expiries = hold_expiries_.load();
  out.temporaries_freed = temporaries_freed_.load();
  out.busy_us = busy_us_.load();
}

}  // namespace maxq::broker
