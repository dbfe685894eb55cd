// The pool of temporary (RAM) key-pair objects that hold ephemeral keys (the
// ECDHE key share when the application prefers this provider). A slot is
// created on the chip once per device session and curve and then reused: an
// ephemeral key costs one chip command (import key in generate mode, which also
// answers the public key), its ECDH one more, and freeing it costs none.
//
// MODELLED: the ids 0xFF00..0xFF0F are reserved for these slots (one table of
// id ranges, wire/object_id.h). On the model,
// temporary objects belong to the session that created them; on a real chip
// they are shared by every host process, so an id another process holds is
// skipped (create answers "id exists").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "transport/device.h"
#include "wire/object_id.h"
#include "wire/protocol.h"

namespace maxq::provider {

class TemporaryKeySlots : public std::enable_shared_from_this<TemporaryKeySlots> {
 public:
  static constexpr uint16_t kFirstId = wire::kFirstTemporaryKeyId;
  static constexpr size_t kMaxSlots = wire::kTemporarySlots;

  // Holds one slot while any copy of the key generated in it is alive; the
  // destructor returns the slot to the pool (no chip command).
  class Lease {
   public:
    Lease(std::shared_ptr<TemporaryKeySlots> pool, uint16_t id) : pool_(std::move(pool)), id_(id) {}
    ~Lease() { pool_->release(id_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    uint16_t id() const { return id_; }

   private:
    std::shared_ptr<TemporaryKeySlots> pool_;
    uint16_t id_;
  };

  // Leases keep the pool alive, so it is always held by a shared_ptr.
  static std::shared_ptr<TemporaryKeySlots> create() {
    return std::make_shared<TemporaryKeySlots>(Token{});
  }
  struct Token {
    explicit Token() = default;
  };
  explicit TemporaryKeySlots(Token) {}

  // A free slot for `curve`: an existing one, else a new temporary object, else
  // (all slots made) a free slot of another curve deleted and made again.
  // Returns nullptr when every slot is leased or the chip has no room; throws
  // transport::Error for any other failure.
  std::shared_ptr<Lease> acquire(transport::Device& device, wire::Curve curve);

  size_t slots() const;
  size_t leased() const;

 private:
  enum class Created { Yes, IdTaken, ChipFull };
  void release(uint16_t id);
  std::shared_ptr<Lease> lease_locked(uint16_t id);
  Created try_create(transport::Device& device, uint16_t id, wire::Curve curve);

  struct Slot {
    wire::Curve curve;
    bool leased = false;
  };
  mutable std::mutex mutex_;
  std::map<uint16_t, Slot> slots_;
};

}  // namespace maxq::provider
