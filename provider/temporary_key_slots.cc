#include "provider/temporary_key_slots.h"

#include "transport/errors.h"

namespace maxq::provider {

std::shared_ptr<TemporaryKeySlots::Lease> TemporaryKeySlots::acquire(transport::Device& device,
                                                                     wire::Curve curve) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, slot] : slots_)
    if (!slot.leased && slot.curve == curve) return lease_locked(id);

  bool chip_full = false;
  for (uint16_t i = 0; i < kMaxSlots && !chip_full; ++i) {
    uint16_t id = static_cast<uint16_t>(kFirstId + i);
    if (slots_.count(id) != 0) continue;
    switch (try_create(device, id, curve)) {
      case Created::Yes:
        slots_[id] = Slot{curve};
        return lease_locked(id);
      case Created::IdTaken:
        break;
      case Created::ChipFull:
        chip_full = true;
        break;
    }
  }
  // Every slot we may make exists: re-make an idle one of another curve (two
  // commands, only when the mix of curves changes).
  for (auto it = slots_.begin(); it != slots_.end(); ++it) {
    if (it->second.leased) continue;
    uint16_t id = it->first;
    device.delete_object(id);
    slots_.erase(it);
    if (try_create(device, id, curve) != Created::Yes) return nullptr;
    slots_[id] = Slot{curve};
    return lease_locked(id);
  }
  return nullptr;
}

std::shared_ptr<TemporaryKeySlots::Lease> TemporaryKeySlots::lease_locked(uint16_t id) {
  // Built before the slot is marked so that a failed allocation leaves it free.
  auto lease = std::make_shared<Lease>(shared_from_this(), id);
  slots_.at(id).leased = true;
  return lease;
}

TemporaryKeySlots::Created TemporaryKeySlots::try_create(transport::Device& device, uint16_t id,
                                                         wire::Curve curve) {
  try {
    device.create_object(transport::ObjectSpec::temporary_key_pair(id, curve));
    return Created::Yes;
  } catch (const transport::ChipError& e) {
    switch (static_cast<wire::Status>(e.status())) {
      case wire::Status::BadParameter:  // the id exists (another host's object)
        return Created::IdTaken;
      case wire::Status::NoTemporarySlot:
      case wire::Status::MemoryFull:
        return Created::ChipFull;
      default:
        throw;
    }
  }
}

void TemporaryKeySlots::release(uint16_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = slots_.find(id);
  if (it != slots_.end()) it->second.leased = false;
}

size_t TemporaryKeySlots::slots() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return slots_.size();
}

size_t TemporaryKeySlots::leased() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const auto& [id, slot] : slots_) n += slot.leased ? 1 : 0;
  return n;
}

}  // namespace maxq::provider
