// Reading the chip's answers, shared by the Device's command files
// (device.cc, device_keys.cc, device_signing.cc): every answer is untrusted
// input, and one that does not fit its layout becomes a ProtocolError naming
// the operation.
#pragma once

#include <cstdio>
#include <string>

#include "transport/errors.h"
#include "wire/bytes.h"

namespace maxq::transport::answers {

inline constexpr size_t kLargestField = 66;  // P-521
// Pass, algorithm, two ids, two lengths and a P-256 signature around the body
// of a signed import (CA / CB).
inline constexpr size_t kSignedImportOverhead = 1 + 1 + 2 + 2 + 2 + 2 + 64;

inline std::string hex16(uint16_t v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%04x", v);
  return b;
}

// Runs `parse` over a response; a payload that does not fit its layout becomes a
// ProtocolError naming the operation.
template <class Fn>
auto parse_response(const std::string& what, Fn&& parse) {
  try {
    return parse();
  } catch (const MalformedPayload& e) {
    throw ProtocolError(what + ": the chip's answer does not match the command's layout (" +
                        e.what() + ")");
  }
}

[[noreturn]] inline void bad_answer(const std::string& what, const std::string& why) {
  throw ProtocolError(what + ": the chip's answer is malformed (" + why + ")");
}

}  // namespace maxq::transport::answers
