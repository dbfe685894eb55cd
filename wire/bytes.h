// Byte containers and big-endian payload readers/writers shared by host and chip.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace maxq {

using Bytes = std::vector<uint8_t>;

// A non-owning view of bytes (C++17 has no std::span).
class ByteView {
 public:
  constexpr ByteView() = default;
  constexpr ByteView(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  ByteView(const Bytes& b) : data_(b.data()), size_(b.size()) {}  // NOLINT(implicit)
  template <size_t N>
  constexpr ByteView(const std::array<uint8_t, N>& a)  // NOLINT(implicit)
      : data_(a.data()), size_(N) {}
  explicit ByteView(std::string_view s)
      : data_(reinterpret_cast<const uint8_t*>(s.data())), size_(s.size()) {}

  constexpr const uint8_t* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr const uint8_t* begin() const { return data_; }
  constexpr const uint8_t* end() const { return data_ + size_; }
  constexpr uint8_t operator[](size_t i) const { return data_[i]; }
  // Clamped: never reads past the end.
  ByteView subview(size_t offset, size_t count = SIZE_MAX) const {
    if (offset > size_) offset = size_;
    if (count > size_ - offset) count = size_ - offset;
    return ByteView(data_ + offset, count);
  }
  Bytes to_bytes() const { return Bytes(begin(), end()); }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Overwrites memory in a way the optimiser may not remove.
void secure_zero(void* p, size_t n);

// Owns secret bytes (private scalars, ECDH secrets) and zeroes them on
// destruction and on every reallocation it performs.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t n) : b_(n) {}
  explicit SecretBytes(ByteView v) : b_(v.begin(), v.end()) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&& o) noexcept : b_(std::move(o.b_)) {}
  SecretBytes& operator=(SecretBytes&& o) noexcept {
    if (this != &o) {
      clear();
      b_ = std::move(o.b_);
    }
    return *this;
  }
  ~SecretBytes() { clear(); }

  void clear() {
    if (!b_.empty()) secure_zero(b_.data(), b_.size());
    b_.clear();
  }
  uint8_t* data() { return b_.data(); }
  const uint8_t* data() const { return b_.data(); }
  size_t size() const { return b_.size(); }
  bool empty() const { return b_.empty(); }
  ByteView view() const { return ByteView(b_.data(), b_.size()); }

 private:
  Bytes b_;
};

// Thrown by PayloadReader when a payload is shorter or longer than its layout.
class MalformedPayload : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Appends big-endian fields.
class PayloadWriter {
 public:
  PayloadWriter& u8(uint8_t v) {
    out_.push_back(v);
    return *this;
  }
  PayloadWriter& u16(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v >> 8));
    out_.push_back(static_cast<uint8_t>(v));
    return *this;
  }
  // Little-endian: only key and certificate descriptors use it (§4.13, §4.14).
  PayloadWriter& u16le(uint16_t v) {
    out_.push_back(static_cast<uint8_t>(v));
    out_.push_back(static_cast<uint8_t>(v >> 8));
    return *this;
  }
  PayloadWriter& u32(uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
    return *this;
  }
  PayloadWriter& bytes(ByteView v) {
    out_.insert(out_.end(), v.begin(), v.end());
    return *this;
  }
  PayloadWriter& zeros(size_t n) {
    out_.insert(out_.end(), n, 0);
    return *this;
  }
  Bytes take() { return std::move(out_); }
  const Bytes& bytes() const { return out_; }

 private:
  Bytes out_;
};

// Reads big-endian fields from untrusted input; every read is bounds-checked and
// throws MalformedPayload naming `what` when the input is too short.
class PayloadReader {
 public:
  PayloadReader(ByteView in, std::string_view what) : in_(in), what_(what) {}
  uint8_t u8() { return take(1)[0]; }
  uint16_t u16() {
    ByteView b = take(2);
    return static_cast<uint16_t>(b[0] << 8 | b[1]);
  }
  uint16_t u16le() {
    ByteView b = take(2);
    return static_cast<uint16_t>(b[0] | b[1] << 8);
  }
  uint32_t u32() {
    ByteView b = take(4);
    return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 |
           static_cast<uint32_t>(b[2]) << 8 | b[3];
  }
  ByteView bytes(size_t n) { return take(n); }
  ByteView rest() { return take(remaining()); }
  size_t remaining() const { return in_.size() - pos_; }
  // Throws when unread bytes are left: a payload longer than its layout is malformed too.
  void expect_end() const;

 private:
  ByteView take(size_t n);
  ByteView in_;
  size_t pos_ = 0;
  std::string what_;
};

std::string to_hex(ByteView b);

}  // namespace maxq
