// One command through the link: locking, bounded retries, error mapping and the
// MAXQ1061_DEBUG trace. The typed commands are in device.cc.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "transport/device.h"
#include "transport/file_lock.h"
#include "transport/signature_check.h"
#include "wire/frame_codec.h"

namespace maxq::transport {
namespace {

// MAXQ1061_DEBUG: unset, empty or 0 off; "frames" adds the frames in hex;
// anything else traces commands.
int debug_level() {
  const char* v = secure_getenv("MAXQ1061_DEBUG");
  if (!v || !*v || std::strcmp(v, "0") == 0) return 0;
  return std::strcmp(v, "frames") == 0 ? 2 : 1;
}

// "AA 00 F7 00 04 ...": the document's notation, to compare frames by eye.
std::string spaced_hex(ByteView b) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(b.size() * 3);
  for (uint8_t v : b) {
    if (!out.empty()) out += ' ';
    out += kDigits[v >> 4];
    out += kDigits[v & 0x0F];
  }
  return out;
}

// Answers whose data must not reach a log: random bytes (they seed DRBGs)
// and the simulator's raw ECDH secrets.
bool secret_answer(wire::Command cmd) {
  return cmd == wire::Command::GetChallenge || cmd == wire::Command::GetRandom ||
         cmd == wire::Command::KeyExchange;
}

// Link errors already start with the device's name; the device's own message
// names it once.
std::string without_prefix(const std::string& msg, const std::string& device) {
  std::string prefix = device + ": ";
  return msg.compare(0, prefix.size(), prefix) == 0 ? msg.substr(prefix.size()) : msg;
}

}  // namespace

Device::Device(std::unique_ptr<Link> link, DeviceOptions options)
    : link_(std::move(link)),
      options_(options),
      trace_(debug_level() == 0   ? Trace::Off
             : debug_level() == 1 ? Trace::Commands
                                  : Trace::Frames) {
  if (options_.max_attempts == 0) options_.max_attempts = 1;
  if (options_.max_timeouts == 0) options_.max_timeouts = 1;
}

bool Device::check_signatures() const {
  if (options_.verify_signatures == SignatureChecking::Never) return false;
  return options_.verify_signatures == SignatureChecking::Always ||
         clean_commands_.load(std::memory_order_relaxed) < kCleanCommandsToTrust;
}

const SignatureVerifier& Device::signature_check() {
  // Made at first need (a software library context costs about 1 ms): the
  // first signature under a key the caller gives (a key reference) needs it,
  // and every signature on a suspect link; a process that generated its keys
  // on a clean link never does.
  std::call_once(signature_check_made_, [this] {
    if (options_.make_signature_verifier) signature_check_ = options_.make_signature_verifier();
    if (!signature_check_) signature_check_ = std::make_unique<SignatureCheck>();
  });
  return *signature_check_;
}
Device::~Device() = default;

std::string Device::describe() const {
  return link_->describe();
}

Bytes Device::command(wire::Command cmd, ByteView payload, Retry retry, size_t expected_payload,
                      const std::string& what) {
  if (payload.size() > wire::kMaxPayload)
    throw Error(what + ": the request carries " + std::to_string(payload.size()) +
                " bytes, more than one command frame holds (" + std::to_string(wire::kMaxPayload) +
                ")");
  Bytes frame = wire::encode_command(cmd, payload);
  Exclusive hold(*this);  // other threads, and processes using the same chip, wait here
  Bytes out = exchange_locked(cmd, frame, retry, expected_payload, what);
  secure_zero(frame.data(), frame.size());  // may carry a digest or a peer point
  return out;
}

void Device::trace_frame(const char* direction, wire::Command cmd, ByteView frame) const {
  if (trace_ != Trace::Frames) return;
  std::string text;
  if (direction[0] == '<' && secret_answer(cmd) && frame.size() > wire::kHeaderSize) {
    // Header and CRC as sent; the data only by its length.
    text = spaced_hex(frame.subview(0, wire::kHeaderSize)) + " <" +
           std::to_string(frame.size() - wire::kHeaderSize - wire::kCrcSize) +
           " data bytes not shown> " + spaced_hex(frame.subview(frame.size() - wire::kCrcSize));
  } else {
    text = spaced_hex(frame);
  }
  std::fprintf(stderr, "maxq1061: %s %s %s\n", describe().c_str(), direction, text.c_str());
}

void Device::trace(const std::string& what, size_t out_bytes, const std::string& result,
                   unsigned attempts, std::chrono::steady_clock::time_point start) const {
  if (trace_ == Trace::Off) return;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  // Names, sizes and status only: never payload bytes (digests, secrets).
  std::fprintf(stderr, "maxq1061: %s: %s: %s, %zu bytes out, %u attempt(s), %lld us\n",
               describe().c_str(), what.c_str(), result.c_str(), out_bytes, attempts,
               static_cast<long long>(us));
}

void Device::reset_link_after_failure() {
  try {
    link_->reset();
  } catch (const Error&) {
    // The next exchange reports the broken link with its own error.
  }
}

Bytes Device::exchange_locked(wire::Command cmd, ByteView frame, Retry retry,
                              size_t expected_payload, const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  const std::string device = describe();
  unsigned timeouts = 0;
  for (unsigned attempt = 1;; ++attempt) {
    const bool last = attempt >= options_.max_attempts;
    wire::ResponseFrame rsp;
    try {
      trace_frame(">", cmd, frame);
      Bytes raw = link_->transact(frame, expected_payload);
      trace_frame("<", cmd, raw);
      wire::FrameError e = wire::decode_response(raw, rsp);
      secure_zero(raw.data(), raw.size());
      if (e != wire::FrameError::None)
        throw ProtocolError(device + ": the response frame was damaged on the bus (" +
                            std::string(wire::frame_error_name(e)) + ")");
    } catch (const LinkError& e) {
      reset_link_after_failure();
      bool timeout = e.kind() == LinkError::Kind::Timeout;
      if (timeout && retry == Retry::Safe && !last && ++timeouts < options_.max_timeouts) continue;
      trace(what, frame.size(), "failed: " + std::string(e.what()), attempt, start);
      throw LinkError(e.kind(), what + " on " + device + ": " + without_prefix(e.what(), device));
    } catch (const ProtocolError& e) {
      // Damaged (or over-long) answer. A repeatable command is sent again;
      // otherwise the caller must find out whether it was executed.
      clean_commands_.store(0, std::memory_order_relaxed);
      reset_link_after_failure();
      if (retry == Retry::Safe && !last) continue;
      trace(what, frame.size(), "failed: " + std::string(e.what()), attempt, start);
      std::string msg = what + " on " + device + ": " + without_prefix(e.what(), device);
      if (retry == Retry::Safe)
        msg += " in all " + std::to_string(attempt) +
               " attempts; check the wiring and lower spi-clock-hz";
      else
        msg +=
            "; the chip may have executed the command: check with `maxq1061-tool list` "
            "before repeating it";
      throw ProtocolError(msg);
    }
    if (rsp.status == static_cast<uint16_t>(wire::Status::FrameError)) {
      // The chip did not execute a damaged command: any command may be resent.
      clean_commands_.store(0, std::memory_order_relaxed);
      reset_link_after_failure();
      if (!last) continue;
      trace(what, frame.size(), "failed: command damaged on the bus", attempt, start);
      throw ProtocolError(
          what + " on " + device + ": the chip received the command damaged in all " +
          std::to_string(attempt) + " attempts; check the wiring and lower spi-clock-hz");
    }
    if (clean_commands_.load(std::memory_order_relaxed) < kCleanCommandsToTrust)
      clean_commands_.fetch_add(1, std::memory_order_relaxed);  // under mutex_: no race
    if (trace_ != Trace::Off) {
      char status[48];
      std::snprintf(status, sizeof status, "status 0x%04x, %zu bytes in", rsp.status,
                    rsp.payload.size());
      trace(what, frame.size(), status, attempt, start);
    }
    if (rsp.status != 0) {
      secure_zero(rsp.payload.data(), rsp.payload.size());
      throw make_chip_error(static_cast<uint8_t>(cmd), rsp.status, what);
    }
    return std::move(rsp.payload);
  }
}

}  // namespace maxq::transport
