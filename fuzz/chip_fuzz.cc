// The chip interpreter (sim::Chip: SPI state machine, frame decoding,
// ChipCore's command handlers) fed fuzz windows and fuzz command frames, as
// a hostile host would send them; optionally after a genuine admin login so
// the admin-only handlers are reached too.
//
// Input: flags u8 (bit 0: log in as admin first), then up to 16 chunks
// [kind u8][length u16][bytes]: kind % 4 == 0 is one raw chip-select window,
// else a well-formed command frame (code = first byte, payload = the rest)
// exchanged the SDK way (frame window, poll windows, header, data).
#include <sys/stat.h>

#include <cstdlib>
#include <memory>
#include <optional>

#include "fuzz/fuzz_support.h"
#include "simulator/chip.h"
#include "transport/credential_key.h"
#include "wire/admin_layout.h"
#include "wire/frame_codec.h"

using namespace maxq;

namespace {

struct Rig {
  std::unique_ptr<sim::Chip> chip;
  std::optional<transport::CredentialKey> admin;
};

Rig& rig() {
  static Rig r = [] {
    Rig x;
    std::string state = fuzz::scratch_dir() + "/chip.state";
    // Counters in memory (a directory where the counter file would be): the
    // file costs syscalls per chip-select window, not coverage.
    mkdir((state + ".counters").c_str(), 0700);
    sim::Chip::provision(state, state + ".admin.pem", state + ".key-import.pem");
    x.chip = sim::Chip::open(state);
    x.admin.emplace(transport::CredentialKey::load(state + ".admin.pem",
                                                   transport::CredentialKey::Kind::Admin));
    return x;
  }();
  return r;
}

void window(sim::Chip& chip, ByteView mosi, uint8_t* miso) {
  chip.select();
  chip.transfer(mosi.data(), miso, mosi.size());
  chip.deselect();
}

// One exchange as the SDK's hosts do it; the answer's payload (empty when
// the chip never answered).
Bytes sdk_exchange(sim::Chip& chip, ByteView frame) {
  Bytes miso(frame.size());
  window(chip, frame, miso.data());
  uint8_t sync = 0;
  for (int i = 0; i < 32 && sync != wire::kResponseSync; ++i) {
    chip.select();
    sync = chip.clock(wire::kPollByte);
    chip.deselect();
  }
  if (sync != wire::kResponseSync) return {};
  Bytes polls(4, wire::kPollByte), header(4);
  window(chip, polls, header.data());
  size_t length = static_cast<size_t>(header[2]) << 8 | header[3];
  if (length > wire::kMaxPayload) return {};
  Bytes more(length + 2, wire::kPollByte), rest(length + 2);
  window(chip, more, rest.data());
  Bytes response{wire::kResponseSync};
  response.insert(response.end(), header.begin(), header.end());
  response.insert(response.end(), rest.begin(), rest.end());
  wire::ResponseFrame r;
  if (wire::decode_response(response, r) != wire::FrameError::None)
    std::abort();  // the chip's own frames are sound
  return r.payload;
}

void log_in(Rig& r) {
  Bytes challenge = sdk_exchange(*r.chip, wire::encode_command(wire::Command::GetChallenge,
                                                               wire::encode_challenge_request(16)));
  wire::AdminLogin login;
  login.signature = r.admin->sign(challenge);
  sdk_exchange(*r.chip, wire::encode_command(wire::Command::AdminAuthenticate,
                                             wire::encode_admin_login(login)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Rig& r = rig();
  fuzz::Input in(data, size);
  if (in.u8() & 1) log_in(r);
  for (int n = 0; n < 16 && !in.empty(); ++n) {
    uint8_t kind = in.u8();
    size_t length = in.u16() % 2400;
    ByteView bytes = in.bytes(length);
    if (kind % 4 == 0) {
      Bytes miso(bytes.size());
      window(*r.chip, bytes, miso.data());
    } else {
      uint8_t code = bytes.empty() ? 0 : bytes[0];
      ByteView payload = bytes.subview(1);
      if (payload.size() > wire::kMaxPayload) payload = payload.subview(0, wire::kMaxPayload);
      sdk_exchange(*r.chip, wire::encode_command(code, payload));
    }
  }
  // The next input starts from an idle chip without the admin role.
  r.chip->deselect();
  r.chip->discard_pending();
  sdk_exchange(*r.chip,
               wire::encode_command(wire::Command::AdminAuthenticate, wire::encode_admin_reset()));
  return 0;
}
