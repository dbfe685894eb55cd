// The host side (transport::Device over a SpiLink) talking to a chip whose
// every MISO byte comes from the fuzz input: responses, polls, lengths, CRCs
// and status words are all hostile. The Device must only ever throw its
// documented errors (transport::Error), never return what did not arrive.
//
// Input: a selector byte per Device call, then the MISO stream the bus
// answers with until the input is exhausted (then the bus fails).
#include <memory>
#include <optional>

#include "fuzz/fuzz_support.h"
#include "simulator/chip.h"
#include "transport/credential_key.h"
#include "transport/device.h"
#include "transport/errors.h"
#include "transport/spi_link.h"

using namespace maxq;

namespace {

class FuzzBus : public transport::SpiBus {
 public:
  explicit FuzzBus(fuzz::Input& in) : in_(in) {}
  Bytes run(const std::vector<transport::SpiOp>& ops) override {
    Bytes miso;
    for (const auto& op : ops) {
      if (op.kind != transport::SpiOp::Kind::Transfer) continue;
      if (in_.remaining() == 0)
        throw transport::LinkError(transport::LinkError::Kind::Io, "fuzz input exhausted");
      ByteView b = in_.bytes(op.tx.size());
      miso.insert(miso.end(), b.begin(), b.end());
      miso.resize(miso.size() + (op.tx.size() - b.size()), 0xFF);
    }
    return miso;
  }
  std::string describe() const override { return "fuzz bus"; }
  std::string lock_path() const override { return ""; }

 private:
  fuzz::Input& in_;
};

struct Keys {
  std::optional<transport::CredentialKey> admin, key_import;
};
Keys& keys() {
  static Keys k = [] {
    Keys x;
    std::string state = fuzz::scratch_dir() + "/keys.state";
    sim::Chip::provision(state, state + ".admin.pem", state + ".key-import.pem");
    x.admin.emplace(transport::CredentialKey::load(state + ".admin.pem",
                                                   transport::CredentialKey::Kind::Admin));
    x.key_import.emplace(transport::CredentialKey::load(state + ".key-import.pem",
                                                        transport::CredentialKey::Kind::KeyImport));
    return x;
  }();
  return k;
}

void call(transport::Device& dev, uint8_t which, fuzz::Input& in) {
  const uint16_t id = static_cast<uint16_t>(0x0100 | (which >> 4));
  const Bytes digest(32, 0x5A);
  switch (which % 12) {
    case 0:
      dev.status();
      break;
    case 1:
      dev.ping(Bytes{1, 2, 3});
      break;
    case 2:
      dev.list_objects();
      break;
    case 3:
      dev.read_public(id);
      break;
    case 4:
      dev.sign(id, digest);
      break;
    case 5:
      dev.random(1 + in.u8());
      break;
    case 6:
      dev.read_certificate(id);
      break;
    case 7:
      dev.read_object(id);
      break;
    case 8:
      dev.object_info(id);
      break;
    case 9: {
      Bytes peer(64, 0x11);
      dev.ecdh(id, peer);
      break;
    }
    case 10:
      dev.as_admin(*keys().admin, [&] {
        dev.create_object(transport::ObjectSpec::key_pair(id, wire::Curve::P256));
        dev.generate_key(id, wire::Curve::P256, *keys().key_import);
      });
      break;
    default:
      dev.verify(id, digest, Bytes(64, 0x22));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  keys();
  fuzz::Input in(data, size);
  Bytes calls = in.bytes(4).to_bytes();
  transport::SpiLinkOptions link;
  link.poll_budget = 64;  // a chip that never answers costs 64 polls, not 120000
  link.max_poll_batch = 16;
  transport::DeviceOptions options;
  options.verify_signatures = transport::SignatureChecking::Always;
  transport::Device dev(std::make_unique<transport::SpiLink>(std::make_unique<FuzzBus>(in), link),
                        options);
  for (uint8_t which : calls) {
    try {
      call(dev, which, in);
    } catch (const transport::Error&) {
    }
  }
  return 0;
}
