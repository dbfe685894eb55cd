// Shared by the fuzz targets: splitting one input into parts, and a scratch
// directory for targets that need files (a provisioned simulated chip).
//
// Each target catches exactly the exceptions its parser documents for bad
// input; anything else escaping is a finding (libFuzzer reports it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "wire/bytes.h"

namespace maxq::fuzz {

// Consumes an input front to back; past the end it yields zeros / empty views.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }
  uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() {
    uint16_t hi = u8();
    return static_cast<uint16_t>(hi << 8 | u8());
  }
  ByteView bytes(size_t n) {
    if (n > remaining()) n = remaining();
    ByteView v(data_ + pos_, n);
    pos_ += n;
    return v;
  }
  ByteView rest() { return bytes(remaining()); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A private directory for the whole run (removed at exit).
const std::string& scratch_dir();

}  // namespace maxq::fuzz
