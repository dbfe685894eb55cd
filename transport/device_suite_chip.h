// What the TempChip stand-ins of the Device suite targets (ftdi_model_suite/,
// unix_daemon_suite/) share with test/support/temp_chip.h besides open_device
// and chip_of: the chip's two credentials and a key made the admin way.
#pragma once

#include <cstdint>

#include "test/support/provisioned_chip.h"
#include "transport/credential_key.h"
#include "transport/device.h"

namespace maxq::testing {

struct SuiteChip : ProvisionedChip {
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
