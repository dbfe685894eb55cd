#include "simulator/chip_core.h"

#include "simulator/chip.h"

namespace maxq::sim {

ChipCore::ChipCore(std::unique_ptr<StateFile> state, std::unique_ptr<Counters> counters)
    : state_(std::move(state)), counters_(std::move(counters)) {}

Bytes ChipCore::frame_error() {
  counters_->add_frame_error();
  return wire::encode_response(wire::Status::FrameError, {});
}

Bytes ChipCore::execute(const wire::CommandFrame& frame) {
  counters_->add_command(frame.command);
  if (auto forced = faults_.take_forced_status()) return wire::encode_response(*forced, {});
  Reply r;
  try {
    r = dispatch(static_cast<wire::Command>(frame.command), frame.payload);
  } catch (const MalformedPayload&) {
    r = Reply::error(wire::Status::WrongLength);
  } catch (const StateError&) {
    // MODELLED: the chip's storage failed (the state file became unusable under
    // us); the host sees a crypto/storage failure and the file is left as is.
    r = Reply::error(wire::Status::CryptoFailure);
  }
  return wire::encode_response(r.status, r.payload);
}

uint8_t ChipCore::roles() const {
  return static_cast<uint8_t>(wire::kRoleEveryone | (session_.admin ? wire::kRoleAdmin : 0));
}

bool ChipCore::allowed(const PersistentState& s, const Object& o, wire::Operation op) const {
  return (wire::rule_roles(o.rules, s.lifecycle, op) & roles()) != 0;
}

Object* ChipCore::find(PersistentState& s, uint16_t id) {
  if (auto it = s.objects.find(id); it != s.objects.end()) return &it->second;
  if (auto it = session_.temporary.find(id); it != session_.temporary.end()) return &it->second;
  return nullptr;
}

Reply ChipCore::dispatch(wire::Command cmd, ByteView p) {
  using wire::Command;
  Handler h = nullptr;
  switch (cmd) {
    case Command::Ping: h = &ChipCore::ping; break;
    case Command::GetStatus: h = &ChipCore::get_status; break;
    case Command::GetChallenge: h = &ChipCore::get_challenge; break;
    case Command::AdminAuthenticate: h = &ChipCore::admin_authenticate; break;
    case Command::SetLifecycle: h = &ChipCore::set_lifecycle; break;
    case Command::GetRandom: h = &ChipCore::get_random; break;
    case Command::CreateObject: h = &ChipCore::create_object; break;
    case Command::DeleteObject: h = &ChipCore::delete_object; break;
    case Command::ReadObject: h = &ChipCore::read_object; break;
    case Command::WriteObject: h = &ChipCore::write_object; break;
    case Command::ListObjects: h = &ChipCore::list_objects; break;
    case Command::ImportKey: h = &ChipCore::import_key; break;
    case Command::SignVerify: h = &ChipCore::sign_verify; break;
    case Command::KeyExchange: h = &ChipCore::key_exchange; break;
    default:
      // MODELLED: cipher, secure channel, digest, MAC, sleep, set config and
      // factory reset are not part of the model.
      return Reply::error(wire::Status::UnknownCommand);
  }
  Reply r;
  state_->transact([&](PersistentState& s) {
    bool modified = false;
    if (s.lifecycle == wire::Lifecycle::Terminated && cmd != Command::Ping &&
        cmd != Command::GetStatus) {
      r = Reply::error(wire::Status::SecurityCondition);
      return false;
    }
    r = (this->*h)(s, p, modified);
    return modified && r.status == wire::Status::Ok;
  });
  return r;
}

}  // namespace maxq::sim
