#include "broker/temporary_objects.h"

#include "wire/key_layout.h"
#include "wire/object_layout.h"
#include "wire/protocol.h"

namespace maxq::broker {

std::optional<uint16_t> named_object(uint8_t command, ByteView payload) {
  using wire::Command;
  try {
    switch (static_cast<Command>(command)) {
      case Command::CreateObject:
        return wire::decode_create_object(payload).id;
      case Command::DeleteObject:
        return wire::decode_object_id(payload, "delete object");
      case Command::ReadObject:
        return wire::decode_read_object(payload).id;
      case Command::WriteObject:
        return wire::decode_write_object(payload).id;
      case Command::SignVerify:
        return wire::decode_sign_request(payload).key_id;
      case Command::ImportKey:
        return wire::decode_signed_import(payload, "import key").object_id;
      case Command::KeyExchange:
        if (!payload.empty() && payload[0] == wire::kPassSimulatorEcdh)
          return wire::decode_simulator_ecdh(payload).key_id;
        return std::nullopt;
      default:
        return std::nullopt;
    }
  } catch (const MalformedPayload&) {
    return std::nullopt;  // the chip refuses it with its own status
  }
}

std::optional<CreateRequest> parse_create(ByteView payload) {
  try {
    wire::CreateObjectRequest r = wire::decode_create_object(payload);
    CreateRequest out;
    out.id = r.id;
    out.temporary = (r.properties & static_cast<uint8_t>(wire::ObjectProperty::Temporary)) != 0;
    return out;
  } catch (const MalformedPayload&) {
    return std::nullopt;
  }
}

ClientId TemporaryObjects::owner(uint16_t id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = owners_.find(id);
  return it == owners_.end() ? 0 : it->second;
}

void TemporaryObjects::created(ClientId client, uint16_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  owners_[id] = client;
}

void TemporaryObjects::deleted(uint16_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  owners_.erase(id);
}

std::vector<uint16_t> TemporaryObjects::owned_by(ClientId client) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<uint16_t> out;
  for (const auto& [id, owner] : owners_)
    if (owner == client) out.push_back(id);
  return out;
}

size_t TemporaryObjects::count(ClientId client) const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& entry : owners_) n += entry.second == client ? 1 : 0;
  return n;
}

void TemporaryObjects::forget_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  owners_.clear();
}

}  // namespace maxq::broker
