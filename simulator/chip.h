// The simulated MAXQ1061 as seen from the SPI bus. A Chip consumes the host's
// byte stream (chip-select edges, command frames, 0xCC polls) and clocks out
// exactly what the part would: idle bytes, then 0x55 and the response frame.
//
// SPI behaviour (docs/maxq106x-protocol.md §2.3; MODELLED where it
// is not public; constants in wire/protocol.h):
//  - Chip-select windows as the SDK's hosts drive them: one window for the
//    command frame, one per poll byte, one for the 4 header bytes after 0x55,
//    one for LEN + 2 data and CRC bytes. A pending or partly clocked answer is
//    kept across chip-select rises: the next window resumes it where the last
//    one left off. A host may also keep chip select low from the frame to the
//    end of the answer (one window); the bytes are the same.
//  - MODELLED: a window whose FIRST MOSI byte is 0xAA starts a new command and
//    drops any pending answer; any other first byte (0xCC polls, 0x00 or 0xFF
//    dummies) continues the answer. With no answer pending, a window starts
//    receiving a frame whatever its first byte (a bad sync is answered with
//    FrameError, below). A rising chip select discards a half-received frame:
//    a frame must come in one window.
//  - While a command frame arrives the chip clocks out kIdleByte. It knows the
//    frame's end from the header's length field and executes the command at once
//    (the state file is locked, re-read if another process changed it, and
//    written back atomically if the command changed it).
//  - Afterwards every clocked byte returns kIdleByte while busy (fault "busy for
//    N polls"), then 0x55 and the rest of the response; the chip ignores MOSI
//    while it answers. After the response: kIdleByte until chip select rises.
//    SPI is full duplex: the byte clocked out together with the last byte of a
//    command is still an idle byte, and the one clocked out with the first
//    byte of a window is decided before that byte is in (a pending answer's
//    next byte, even when the window then starts a new command).
//  - A frame with a bad sync or a length beyond 2300 bytes is answered with
//    Status::FrameError right after its 5-byte header; one with a bad CRC after
//    its last byte. Neither is executed.
//  - Latency (off by default; Chip::enable_latency_model, latency_model.h): a
//    command's answer is withheld (kIdleByte, like a busy chip) until its
//    MODELLED chip time has passed since the frame's last byte arrived, and
//    clocking n bytes takes n * 8 / spi_clock_hz seconds (the thread sleeps).
//    The chip time runs on the bus's time line: a host that keeps polling sees
//    the answer in the first byte clocked after it; one that waits (sleeps)
//    and then polls sees it at once. A damaged frame (FrameError) is answered
//    without chip time. Off, the chip never reads a clock.
//  - A Chip is driven by one host thread at a time. Processes (and several Chip
//    objects) share a chip through its state file; a child process must open
//    its own Chip rather than use one inherited across fork().
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "simulator/chip_clock.h"
#include "simulator/counters.h"
#include "simulator/fault_injector.h"
#include "simulator/latency_model.h"
#include "simulator/state_error.h"
#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::sim {

using Serial = wire::ChipSerial;

struct ProvisionResult {
  Serial serial{};
  std::string admin_key_path;
  std::string key_import_key_path;
};

class ChipCore;  // command interpreter, object store and persistence

class Chip {
 public:
  // Creates a new simulated chip: a fresh random serial, lifecycle operational,
  // and two distinct P-256 public keys pre-loaded (capacity 64; everyone reads,
  // the admin writes, nobody deletes): 0x1000 the key-import key (usage key
  // import) and 0x1001 the admin key (usage admin authentication). Their
  // private keys are written as PEM (mode 0600) to `admin_key_path` and
  // `key_import_key_path` (empty: STATE_PATH.key-import.pem). Refuses
  // (StateError) to overwrite an existing state file or key file.
  static ProvisionResult provision(const std::string& state_path, const std::string& admin_key_path,
                                   const std::string& key_import_key_path = {});

  // Opens an existing chip. Throws StateError when the state file is missing or
  // not a valid MAXQ1061 simulator state.
  static std::unique_ptr<Chip> open(const std::string& state_path);

  ~Chip();
  Chip(const Chip&) = delete;
  Chip& operator=(const Chip&) = delete;

  // SPI face. clock() and transfer() execute a command when its frame is
  // complete; they throw StateError (naming the file, saying what to do) when
  // the state file became unusable, and the chip-select window is then void.
  void select();
  void deselect();
  // Forgets a half-received frame and any answer not yet clocked out, as if
  // the chip's SPI interface were reset; the session (admin role, temporary
  // objects) stays. The daemon calls it when another client takes the chip.
  void discard_pending();
  uint8_t clock(uint8_t mosi);
  void transfer(const uint8_t* mosi, uint8_t* miso, size_t n);

  Serial serial() const;
  const std::string& state_path() const;

  // Turns on the latency model (see above) at `settings.spi_clock_hz`, timed by
  // `clock` (the real steady clock when null; tests pass a VirtualClock).
  // Throws std::invalid_argument for a zero SPI clock.
  void enable_latency_model(const LatencySettings& settings,
                            std::shared_ptr<ChipClock> clock = nullptr);

  FaultInjector& faults();
  // Counters of this chip; shared across processes (see counters.h).
  Counters& counters();

 private:
  explicit Chip(std::unique_ptr<ChipCore> core);
  class SpiState;
  std::unique_ptr<ChipCore> core_;
  std::unique_ptr<SpiState> spi_;
};

}  // namespace maxq::sim
