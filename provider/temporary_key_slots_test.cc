#include "provider/temporary_key_slots.h"

#include <catch2/catch.hpp>

#include "simulator/counters.h"
#include "test/support/temp_chip.h"
#include "transport/errors.h"

using maxq::provider::TemporaryKeySlots;
using maxq::testing::TempChip;
using maxq::transport::ObjectSpec;
using maxq::wire::Command;
using maxq::wire::Curve;

namespace {

uint64_t creates(const TempChip& chip) {
  return maxq::sim::Counters::read_file(chip.state + ".counters")
      .count(static_cast<uint8_t>(Command::CreateObject));
}

}  // namespace

TEST_CASE("a released slot is reused without a chip command", "[slots]") {
  TempChip chip;
  auto device = chip.open_device();
  auto pool = TemporaryKeySlots::create();
  uint16_t first;
  {
    auto lease = pool->acquire(*device, Curve::P256);
    REQUIRE(lease);
    first = lease->id();
    CHECK(first == TemporaryKeySlots::kFirstId);
    CHECK(pool->leased() == 1);
  }
  CHECK(pool->leased() == 0);
  uint64_t before = creates(chip);
  auto again = pool->acquire(*device, Curve::P256);
  CHECK(again->id() == first);
  CHECK(creates(chip) == before);
  // The slot is a real temporary key pair: the chip generates a key in it.
  auto pub = device->generate_key(again->id(), Curve::P256, chip.key_import(),
                                  maxq::transport::KeyUse::key_exchange());
  CHECK(pub.xy.size() == 64);
}

TEST_CASE("slots are per curve, and every slot in use means none", "[slots]") {
  TempChip chip;
  auto device = chip.open_device();
  auto pool = TemporaryKeySlots::create();
  std::vector<std::shared_ptr<TemporaryKeySlots::Lease>> held;
  for (size_t i = 0; i < TemporaryKeySlots::kMaxSlots; ++i)
    held.push_back(pool->acquire(*device, i % 2 ? Curve::P384 : Curve::P256));
  for (const auto& l : held) REQUIRE(l);
  CHECK(pool->slots() == TemporaryKeySlots::kMaxSlots);
  CHECK(pool->acquire(*device, Curve::P256) == nullptr);

  // An idle P-384 slot is remade for P-256 once the pool is full.
  uint16_t idle = held[1]->id();
  held[1].reset();
  uint64_t before = creates(chip);
  auto remade = pool->acquire(*device, Curve::P256);
  REQUIRE(remade);
  CHECK(remade->id() == idle);
  CHECK(creates(chip) == before + 1);
  CHECK(device
            ->generate_key(remade->id(), Curve::P256, chip.key_import(),
                           maxq::transport::KeyUse::key_exchange())
            .xy.size() == 64);
}

TEST_CASE("an id held by another object is skipped", "[slots]") {
  TempChip chip;
  auto device = chip.open_device();
  device->as_admin(chip.admin(), [&] {
    device->create_object(ObjectSpec::key_pair(TemporaryKeySlots::kFirstId, Curve::P256));
  });
  auto pool = TemporaryKeySlots::create();
  auto lease = pool->acquire(*device, Curve::P256);
  REQUIRE(lease);
  CHECK(lease->id() == TemporaryKeySlots::kFirstId + 1);
}

TEST_CASE("a lease keeps its pool alive", "[slots]") {
  TempChip chip;
  auto device = chip.open_device();
  std::shared_ptr<TemporaryKeySlots::Lease> lease;
  {
    auto pool = TemporaryKeySlots::create();
    lease = pool->acquire(*device, Curve::P384);
  }
  REQUIRE(lease);
  lease.reset();  // releases into the pool it came from, which goes away now
}
