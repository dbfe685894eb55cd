// A provisioned chip with what every Device test needs besides a link: the
// chip's two credentials and a key made the admin way (TempChip and the
// Device suite's stand-ins in transport/*_suite/ add how they reach it).
#pragma once

#include <cstdint>

#include "test/support/provisioned_chip.h"
#include "transport/credential_key.h"
#include "transport/device.h"

namespace maxq::testing {

struct CredentialedChip : ProvisionedChip {
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
