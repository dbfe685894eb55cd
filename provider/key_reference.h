// The key-reference file: a PEM block "MAXQ1061 KEY REFERENCE" naming the chip
// (serial), the object id, the curve and the public point. No secret inside;
// it tells the provider which chip object holds the private half.
//
// PEM body (base64 of DER), version 1:
//   SEQUENCE { OCTET STRING fields }
//   fields (big-endian): magic "MQKR", version u8 (1), serial [24],
//     object id u16 (non-zero), curve u8 (wire::Curve), point length u16,
//     point (04 || X || Y, 1 + 2 * field size bytes)
// The DER wrapper lets the body travel through OpenSSL's decoder chain as one
// ASN.1 object; the magic tells it apart from any other DER. Parsing is strict
// (minimal DER lengths, exact sizes, no trailing bytes): the file is untrusted.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "provider/provider_context.h"
#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::provider {

inline constexpr const char* kKeyReferenceLabel = "MAXQ1061 KEY REFERENCE";
inline constexpr uint8_t kKeyReferenceVersion = 1;
// Upper bound of a reference's DER body (P-521: 4 + 1 + 24 + 2 + 1 + 2 + 133 + 8).
inline constexpr size_t kMaxKeyReferenceBody = 512;

struct KeyReference {
  ChipSerial serial{};
  uint16_t object_id = 0;
  wire::CurveInfo curve{};
  Bytes public_point;  // 04 || X || Y
};

// A reference that is ours (PEM label or magic) but cannot be used: damaged,
// truncated, over-long, or of a version this provider does not read.
class BadKeyReference : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The DER body of `ref`. Throws BadKeyReference for a reference that could not
// be read back (object id 0, point of the wrong size).
Bytes encode_key_reference_body(const KeyReference& ref);
// The whole PEM file (BEGIN line, base64 in 64-column lines, END line).
std::string encode_key_reference_pem(const KeyReference& ref);

// The reference in a DER body; nullopt when `body` is not a key reference (not
// ours: other decoders may take it). Throws BadKeyReference when it is ours
// but unusable. Checks the point's size and form, not that it is on the curve.
std::optional<KeyReference> decode_key_reference_body(ByteView body);
// The DER body of the first PEM block of `text` when that block is a
// "MAXQ1061 KEY REFERENCE"; nullopt when there is no block or the first one
// has another label (not ours). Text before the block is skipped, as PEM
// readers do. Throws BadKeyReference when the block is damaged (no END line,
// headers, bad base64, over-long).
std::optional<Bytes> key_reference_pem_body(std::string_view text);
// For reading a PEM stream no further than its first block: true once `text`
// holds the first BEGIN line with another label, or our BEGIN line followed by
// its END line (or by more than any reference needs).
bool pem_first_block_seen(std::string_view text);
// Upper bound of a whole reference block, BEGIN to END line, in a PEM file.
inline constexpr size_t kMaxKeyReferencePem = 2048;

// pem_first_block_seen for a stream that arrives in pieces, in one pass: each
// feed() looks at the new bytes only (plus at most a BEGIN/END line's prefix
// once per line), so reading n bytes costs O(n) whatever the chunk size.
class PemFirstBlockScanner {
 public:
  // Appends `chunk` to text(); true once the first block is complete (as
  // pem_first_block_seen(text())).
  bool feed(std::string_view chunk);
  bool done() const { return state_ == State::Done; }
  const std::string& text() const { return text_; }
  std::string& text() { return text_; }
  // Bytes examined so far (newline search and line prefixes): the work done.
  size_t bytes_scanned() const { return scanned_; }

 private:
  enum class State { SeekBegin, SeekEnd, Done };
  void line(size_t start, size_t end);
  std::string text_;
  State state_ = State::SeekBegin;
  size_t line_start_ = 0;  // start of the line not yet complete
  size_t begin_pos_ = 0;   // our BEGIN line, in SeekEnd
  size_t scanned_ = 0;
};

// Reads a PEM stream through `read` (fills up to n bytes, 0 at the end) no
// further than its first block, at most `limit` bytes, in 1 KB pieces as the
// provider's decoder does. `scanned` (optional) gets the scanner's work.
std::string read_first_pem_block(const std::function<size_t(char*, size_t)>& read, size_t limit,
                                 size_t* scanned = nullptr);
// Both steps: nullopt when `text` has no key-reference block.
std::optional<KeyReference> decode_key_reference_pem(std::string_view text);

}  // namespace maxq::provider
