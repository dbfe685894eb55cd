#include "provider/key_reference.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

namespace maxq::provider {
namespace {

constexpr uint8_t kMagic[4] = {'M', 'Q', 'K', 'R'};
constexpr uint8_t kTagSequence = 0x30;
constexpr uint8_t kTagOctetString = 0x04;
// Base64 characters of the largest body, with room for line breaks.
constexpr size_t kMaxBase64 = (kMaxKeyReferenceBody + 2) / 3 * 4;

std::string begin_line() {
  return std::string("-----BEGIN ") + kKeyReferenceLabel + "-----";
}
std::string end_line() {
  return std::string("-----END ") + kKeyReferenceLabel + "-----";
}

void der_header(Bytes& out, uint8_t tag, size_t length) {
  out.push_back(tag);
  if (length < 0x80) {
    out.push_back(static_cast<uint8_t>(length));
  } else if (length <= 0xFF) {
    out.push_back(0x81);
    out.push_back(static_cast<uint8_t>(length));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<uint8_t>(length >> 8));
    out.push_back(static_cast<uint8_t>(length));
  }
}

// One DER element with `tag` at the start of `in`, with a minimal definite
// length that fits `in`: its content, and its total size in `element_size`.
// nullopt for anything else.
std::optional<ByteView> der_element(ByteView in, uint8_t tag, size_t& element_size) {
  if (in.size() < 2 || in[0] != tag) return std::nullopt;
  size_t length = in[1], header = 2;
  if (length == 0x81) {
    if (in.size() < 3 || in[2] < 0x80) return std::nullopt;  // short form was due
    length = in[2];
    header = 3;
  } else if (length == 0x82) {
    if (in.size() < 4 || in[2] == 0) return std::nullopt;  // 0x81 form was due
    length = static_cast<size_t>(in[2]) << 8 | in[3];
    header = 4;
  } else if (length >= 0x80) {
    return std::nullopt;  // indefinite or longer than any reference
  }
  if (in.size() - header < length) return std::nullopt;
  element_size = header + length;
  return in.subview(header, length);
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict base64: groups of 4, padding only at the very end, unused bits zero.
Bytes base64_decode(const std::string& in) {
  if (in.empty() || in.size() % 4 != 0)
    throw BadKeyReference("the key reference's base64 body is truncated or damaged");
  Bytes out;
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    size_t pad = 0;
    uint32_t group = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = in[i + j];
      int v = base64_value(c);
      if (c == '=' && last && j >= 2) {  // '=' only as the last one or two characters
        ++pad;
        v = 0;
      } else if (v < 0 || pad > 0) {
        throw BadKeyReference("the key reference's base64 body has an invalid character");
      }
      group = group << 6 | static_cast<uint32_t>(v);
    }
    if ((pad == 1 && (group & 0xFF)) || (pad == 2 && (group & 0xFFFF)))
      throw BadKeyReference("the key reference's base64 body is damaged (bad padding)");
    out.push_back(static_cast<uint8_t>(group >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(group >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(group));
  }
  return out;
}

// Position of `line` at the start of a line of `text` at or after `from`.
size_t find_line(std::string_view text, const std::string& line, size_t from) {
  for (size_t pos = text.find(line, from); pos != std::string_view::npos;
       pos = text.find(line, pos + 1)) {
    if (pos == 0 || text[pos - 1] == '\n') return pos;
  }
  return std::string_view::npos;
}

}  // namespace

Bytes encode_key_reference_body(const KeyReference& ref) {
  if (ref.object_id == 0) throw BadKeyReference("a key reference needs a non-zero object id");
  if (ref.public_point.size() != 1 + 2 * ref.curve.field_bytes || ref.public_point[0] != 0x04)
    throw BadKeyReference("a key reference needs the uncompressed public point of its curve");
  PayloadWriter w;
  w.bytes(ByteView(kMagic, sizeof kMagic)).u8(kKeyReferenceVersion).bytes(ref.serial);
  w.u16(ref.object_id).u8(static_cast<uint8_t>(ref.curve.curve));
  w.u16(static_cast<uint16_t>(ref.public_point.size())).bytes(ref.public_point);
  const Bytes& fields = w.bytes();
  Bytes octets;
  der_header(octets, kTagOctetString, fields.size());
  octets.insert(octets.end(), fields.begin(), fields.end());
  Bytes der;
  der_header(der, kTagSequence, octets.size());
  der.insert(der.end(), octets.begin(), octets.end());
  return der;
}

std::string encode_key_reference_pem(const KeyReference& ref) {
  Bytes body = encode_key_reference_body(ref);
  std::string b64(4 * ((body.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), body.data(),
                          static_cast<int>(body.size()));
  b64.resize(static_cast<size_t>(n));
  std::string out = begin_line() + "\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  out += end_line() + "\n";
  return out;
}

std::optional<KeyReference> decode_key_reference_body(ByteView der) {
  size_t seq_size = 0, octets_size = 0;
  auto seq = der_element(der, kTagSequence, seq_size);
  if (!seq) return std::nullopt;
  auto fields = der_element(*seq, kTagOctetString, octets_size);
  if (!fields || fields->size() < sizeof kMagic ||
      !std::equal(kMagic, kMagic + sizeof kMagic, fields->begin()))
    return std::nullopt;
  // From here on it is ours: anything unexpected is an error, not "not ours".
  if (octets_size != seq->size() || seq_size != der.size())
    throw BadKeyReference("the key reference has trailing bytes");
  if (der.size() > kMaxKeyReferenceBody) throw BadKeyReference("the key reference is too long");
  KeyReference ref;
  try {
    PayloadReader r(*fields, "key reference");
    r.bytes(sizeof kMagic);
    uint8_t version = r.u8();
    if (version != kKeyReferenceVersion)
      throw BadKeyReference("key reference version " + std::to_string(version) +
                            " is not supported (this provider reads version " +
                            std::to_string(kKeyReferenceVersion) +
                            "); write the reference again with this provider");
    ByteView serial = r.bytes(wire::kSerialBytes);
    std::copy(serial.begin(), serial.end(), ref.serial.begin());
    ref.object_id = r.u16();
    if (ref.object_id == 0) throw BadKeyReference("the key reference names object id 0");
    uint8_t curve_id = r.u8();
    auto curve = wire::curve_info(curve_id);
    if (!curve)
      throw BadKeyReference("the key reference names an unknown curve (id " +
                            std::to_string(curve_id) + ")");
    ref.curve = *curve;
    ref.public_point = r.bytes(r.u16()).to_bytes();
    r.expect_end();
  } catch (const MalformedPayload&) {
    throw BadKeyReference("the key reference is truncated or has extra bytes");
  }
  if (ref.public_point.size() != 1 + 2 * ref.curve.field_bytes || ref.public_point[0] != 0x04)
    throw BadKeyReference("the key reference's public point is not an uncompressed " +
                          std::string(ref.curve.sn) + " point");
  return ref;
}

std::optional<Bytes> key_reference_pem_body(std::string_view text) {
  const std::string begin = begin_line(), end = end_line();
  size_t begin_pos = find_line(text, "-----BEGIN ", 0);
  if (begin_pos == std::string_view::npos || text.compare(begin_pos, begin.size(), begin) != 0)
    return std::nullopt;  // no PEM block, or the first one is someone else's
  size_t start = begin_pos + begin.size();
  size_t end_pos = find_line(text, end, start);
  if (end_pos == std::string_view::npos)
    throw BadKeyReference("the key reference has no '" + end + "' line (truncated file?)");
  std::string b64;
  for (size_t i = start; i < end_pos; ++i) {
    char c = text[i];
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == ':') throw BadKeyReference("the key reference has PEM headers; it is never encrypted");
    if (b64.size() == kMaxBase64) throw BadKeyReference("the key reference is too long");
    b64.push_back(c);
  }
  return base64_decode(b64);
}

bool pem_first_block_seen(std::string_view text) {
  PemFirstBlockScanner scanner;
  return scanner.feed(text);
}

bool PemFirstBlockScanner::feed(std::string_view chunk) {
  if (done()) return true;
  size_t from = text_.size();
  text_.append(chunk);
  // Only the new bytes are searched for line ends; a complete line is looked
  // at once, by its prefix.
  for (size_t pos = from; pos < text_.size();) {
    const void* nl = std::memchr(text_.data() + pos, '\n', text_.size() - pos);
    size_t end =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - text_.data()) : text_.size();
    scanned_ += end - pos + (nl ? 1 : 0);
    if (!nl) break;
    line(line_start_, end);
    line_start_ = end + 1;
    if (done()) return true;
    pos = end + 1;
  }
  if (state_ == State::SeekEnd && text_.size() - begin_pos_ > kMaxKeyReferencePem)
    state_ = State::Done;  // ours, over-long: stop reading, it is damaged
  return done();
}

void PemFirstBlockScanner::line(size_t start, size_t end) {
  std::string_view l(text_.data() + start, end - start);
  auto starts_with = [&](std::string_view prefix) {
    scanned_ += std::min(prefix.size(), l.size());
    return l.substr(0, prefix.size()) == prefix;
  };
  if (state_ == State::SeekBegin) {
    if (!starts_with("-----BEGIN ")) return;
    if (starts_with(begin_line())) {
      state_ = State::SeekEnd;
      begin_pos_ = start;
    } else {
      state_ = State::Done;  // someone else's
    }
  } else if (state_ == State::SeekEnd && starts_with(end_line())) {
    state_ = State::Done;
  }
}

std::string read_first_pem_block(const std::function<size_t(char*, size_t)>& read, size_t limit,
                                 size_t* scanned) {
  PemFirstBlockScanner scanner;
  char buf[1024];
  while (scanner.text().size() < limit) {
    size_t n = read(buf, std::min(sizeof buf, limit - scanner.text().size()));
    if (n == 0 || scanner.feed(std::string_view(buf, n))) break;
  }
  if (scanned) *scanned = scanner.bytes_scanned();
  return std::move(scanner.text());
}

std::optional<KeyReference> decode_key_reference_pem(std::string_view text) {
  auto body = key_reference_pem_body(text);
  if (!body) return std::nullopt;
  auto ref = decode_key_reference_body(*body);
  if (!ref) throw BadKeyReference("the MAXQ1061 KEY REFERENCE block does not hold a key reference");
  return ref;
}

}  // namespace maxq::provider
