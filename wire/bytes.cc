#include "wire/bytes.h"

#include <openssl/crypto.h>

namespace maxq {

void secure_zero(void* p, size_t n) {
  OPENSSL_cleanse(p, n);
}

void PayloadReader::expect_end() const {
  if (pos_ != in_.size())
    throw MalformedPayload(what_ + ": " + std::to_string(in_.size() - pos_) +
                           " unexpected bytes after the last field");
}

ByteView PayloadReader::take(size_t n) {
  if (n > in_.size() - pos_)
    throw MalformedPayload(what_ + ": needs " + std::to_string(n) + " more bytes at offset " +
                           std::to_string(pos_) + " but only " + std::to_string(in_.size() - pos_) +
                           " remain");
  ByteView v = in_.subview(pos_, n);
  pos_ += n;
  return v;
}

std::string to_hex(ByteView b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (uint8_t c : b) {
    s.push_back(digits[c >> 4]);
    s.push_back(digits[c & 15]);
  }
  return s;
}

}  // namespace maxq
