#include "broker/device_owner.h"

#include <optional>

#include "transport/errors.h"
#include "transport/file_lock.h"
#include "wire/frame_codec.h"
#include "wire/protocol.h"

namespace maxq::broker {

bool repeatable(uint8_t command) {
  using wire::Command;
  switch (static_cast<Command>(command)) {
    case Command::Ping:
    case Command::GetStatus:
    case Command::ReadObject:
    case Command::ListObjects:
    case Command::GetChallenge:
    case Command::SignVerify:
    case Command::GetRandom:
    case Command::WriteObject:
      return true;
    default:
      return false;
  }
}

DeviceOwner::DeviceOwner(transport::LinkRegistry links, transport::DeviceSpec spec, const Log& log,
                         transport::DeviceOptions options)
    : links_(std::move(links)), spec_(std::move(spec)), log_(log), options_(options) {
  if (options_.max_attempts == 0) options_.max_attempts = 1;
  if (options_.max_timeouts == 0) options_.max_timeouts = 1;
}

DeviceOwner::~DeviceOwner() = default;

void DeviceOwner::close(const std::string& why) {
  if (!device_) return;
  log_.error("device " + describe() + " failed: " + why +
             "; closed it, the next command reopens it (check the USB bridge and its cable)");
  device_.reset();
  available_ = false;
}

bool DeviceOwner::ensure_open() {
  if (device_) return true;
  try {
    device_ = std::make_unique<transport::Device>(links_.open(spec_), options_);
  } catch (const transport::Error& e) {
    if (last_open_error_ != e.what())
      log_.error(std::string("cannot open the device: ") + e.what());
    last_open_error_ = e.what();
    return false;
  }
  if (!last_open_error_.empty()) log_.info("device " + describe() + " is back");
  last_open_error_.clear();
  available_ = true;
  if (on_open_ && !in_on_open_) {
    // The housekeeping runs its own commands through this device.
    in_on_open_ = true;
    try {
      on_open_(*device_);
    } catch (const std::exception& e) {
      log_.warning(std::string("housekeeping after opening the device: ") + e.what());
    }
    in_on_open_ = false;
  }
  return device_ != nullptr;
}

ExchangeResult DeviceOwner::exchange(ByteView frame, uint8_t command, size_t expected_payload) {
  ExchangeResult r;
  if (!ensure_open()) {
    r.kind = ExchangeResult::Kind::Unavailable;
    r.message = "maxq1061d cannot reach its device " + describe() + ": " + last_open_error_ +
                ". It tries again at every command; check that the device is plugged in and "
                "the daemon's log (journalctl -u maxq1061d)";
    return r;
  }
  const bool safe = repeatable(command);
  const std::string name(wire::command_name(command));
  transport::Link& link = device_->link();
  unsigned timeouts = 0;
  for (unsigned attempt = 1;; ++attempt) {
    const bool last = attempt >= options_.max_attempts;
    std::optional<transport::FileLock> lock;  // a sim: state file others may share
    try {
      std::string lock_path = link.lock_path();
      if (!lock_path.empty()) lock.emplace(lock_path);
      Bytes raw = link.transact(frame, expected_payload);
      wire::ResponseFrame rsp;
      wire::FrameError e = wire::decode_response(raw, rsp);
      secure_zero(rsp.payload.data(), rsp.payload.size());  // the client decodes its own copy
      if (e != wire::FrameError::None)
        throw transport::ProtocolError("the response frame was damaged on the bus (" +
                                       std::string(wire::frame_error_name(e)) + ")");
      if (rsp.status == static_cast<uint16_t>(wire::Status::FrameError) && !last) {
        // The chip did not run a damaged command: any command may go again.
        secure_zero(raw.data(), raw.size());
        ++retries_;
        link.reset();
        continue;
      }
      r.kind = ExchangeResult::Kind::Answered;
      r.status = rsp.status;
      r.response = std::move(raw);
      return r;
    } catch (const transport::LinkError& e) {
      const bool timeout = e.kind() == transport::LinkError::Kind::Timeout;
      if (timeout && safe && !last && ++timeouts < options_.max_timeouts) {
        ++retries_;
        try {
          link.reset();
        } catch (const transport::Error&) {
        }
        continue;
      }
      // No answer at all: the bus or the bridge is gone. Reopened at the next command.
      close(std::string(e.what()));
      r.kind = safe ? ExchangeResult::Kind::Unavailable : ExchangeResult::Kind::MayHaveRun;
      r.message = name + " on " + describe() + " (served by maxq1061d): " + e.what() +
                  (safe ? "; the daemon reopens the device at the next command"
                        : "; the chip may have executed the command: check with `maxq1061-tool "
                          "list` before repeating it");
      return r;
    } catch (const transport::ProtocolError& e) {
      try {
        link.reset();
      } catch (const transport::Error&) {
      }
      if (safe && !last) {
        ++retries_;
        continue;
      }
      r.kind = safe ? ExchangeResult::Kind::Unavailable : ExchangeResult::Kind::MayHaveRun;
      r.message = name + " on " + describe() + " (served by maxq1061d): " + e.what() +
                  (safe ? " in all " + std::to_string(attempt) +
                              " attempts; check the wiring and lower spi-clock-hz"
                        : "; the chip may have executed the command: check with `maxq1061-tool "
                          "list` before repeating it");
      return r;
    } catch (const transport::Error& e) {
      // A state file lock or another local failure: nothing reached the chip.
      r.kind = ExchangeResult::Kind::Unavailable;
      r.message = name + " on " + describe() + " (served by maxq1061d): " + e.what();
      return r;
    }
  }
}

}  // namespace maxq::broker
