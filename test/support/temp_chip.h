// Test support: a freshly provisioned simulated chip in a temp directory, and a
// Device talking to it over the in-process link. Removed when it goes away.
#pragma once

#include <memory>
#include <string>

#include "simulator/chip.h"
#include "test/support/provisioned_chip.h"
#include "transport/credential_key.h"
#include "transport/device.h"
#include "transport/sim_bus.h"
#include "transport/spi_link.h"

namespace maxq::testing {

struct TempChip : ProvisionedChip {
  // A new device session on this chip (a separate Chip instance, like another process would have).
  std::unique_ptr<transport::Device> open_device(transport::SpiLinkOptions options = {}) const {
    return std::make_unique<transport::Device>(std::make_unique<transport::SpiLink>(
        std::make_unique<transport::SimBus>(sim::Chip::open(state)), options));
  }
  static sim::Chip& chip_of(transport::Device& dev) {
    auto& link = dynamic_cast<transport::SpiLink&>(dev.link());
    return dynamic_cast<transport::SimBus&>(link.bus()).chip();
  }
  transport::CredentialKey admin() const {
    return transport::CredentialKey::load(admin_key, transport::CredentialKey::Kind::Admin);
  }
  transport::CredentialKey key_import() const {
    return transport::CredentialKey::load(key_import_key,
                                          transport::CredentialKey::Kind::KeyImport);
  }
  // Creates a persistent key pair `id` on `curve` and generates its key, as
  // admin (the admin session is ended again).
  transport::PublicKey make_key(transport::Device& dev, uint16_t id,
                                wire::Curve curve = wire::Curve::P256) const {
    transport::PublicKey key;
    dev.as_admin(admin(), [&] {
      dev.create_object(transport::ObjectSpec::key_pair(id, curve));
      key = dev.generate_key(id, curve, key_import());
    });
    return key;
  }
};

}  // namespace maxq::testing
