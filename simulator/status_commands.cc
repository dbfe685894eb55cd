// Commands about the chip itself: ping, get status, get random.
#include <algorithm>

#include "simulator/chip_core.h"

namespace maxq::sim {

using wire::Status;

Reply ChipCore::ping(Transaction&, ByteView p) {
  return Reply::ok(p.to_bytes());
}

Reply ChipCore::get_status(Transaction& t, ByteView p) {
  if (!p.empty()) return Reply::error(Status::WrongLength);
  uint8_t name[wire::kProductNameBytes] = {};
  std::copy(wire::kProductName.begin(), wire::kProductName.end(), name);
  PayloadWriter w;
  w.bytes(ByteView(name, sizeof name));
  w.bytes(ByteView(wire::kFirmwareVersion, sizeof wire::kFirmwareVersion));
  w.bytes(t.state.serial).u8(static_cast<uint8_t>(t.state.lifecycle));
  w.u32(static_cast<uint32_t>(t.objects.free_storage()));
  w.u32(static_cast<uint32_t>(wire::kSecureStorageBytes));
  w.u8(static_cast<uint8_t>(t.objects.free_temporary_slots()));
  return Reply::ok(w.take());
}

Reply ChipCore::get_random(Transaction&, ByteView p) {
  PayloadReader r(p, "get random");
  uint16_t length = r.u16();
  r.expect_end();
  if (length == 0 || length > wire::kMaxRandomPerCommand) return Reply::error(Status::WrongLength);
  Bytes out(length);
  crypto_.random(out.data(), out.size());
  return Reply::ok(std::move(out));
}

}  // namespace maxq::sim
