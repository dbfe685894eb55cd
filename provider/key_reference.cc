#include "provider/key_reference.h"

#include <openssl/evp.h>

#include <cctype>
#include <optional>
#include <stdexcept>

namespace maxq::provider {
namespace {

constexpr char kMagic[] = "MQKR";
constexpr uint8_t kVersion = 1;

std::string begin_line() { return std::string("-----BEGIN ") + kKeyReferenceLabel + "-----"; }
std::string end_line() { return std::string("-----END ") + kKeyReferenceLabel + "-----"; }

// OpenSSL reads "DER" input one ASN.1 object at a time, so the body travels
// as DER: SEQUENCE { OCTET STRING <fields> }.
void der_length(Bytes& out, size_t n) {
  if (n < 128) {
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(0x82);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  }
}

Bytes der_wrap(const Bytes& fields) {
  Bytes octets{0x04};
  der_length(octets, fields.size());
  octets.insert(octets.end(), fields.begin(), fields.end());
  Bytes seq{0x30};
  der_length(seq, octets.size());
  seq.insert(seq.end(), octets.begin(), octets.end());
  return seq;
}

// Reads one tag + length; returns the content view or nullopt.
std::optional<ByteView> der_take(ByteView in, uint8_t tag, size_t& consumed) {
  if (in.size() < 2 || in[0] != tag) return std::nullopt;
  size_t len = in[1], head = 2;
  if (len == 0x81) {
    if (in.size() < 3) return std::nullopt;
    len = in[2];
    head = 3;
  } else if (len == 0x82) {
    if (in.size() < 4) return std::nullopt;
    len = static_cast<size_t>(in[2]) << 8 | in[3];
    head = 4;
  } else if (len >= 0x80) {
    return std::nullopt;
  }
  if (in.size() - head < len) return std::nullopt;
  consumed = head + len;
  return in.subview(head, len);
}

}  // namespace

std::string encode_key_reference_pem(const KeyReference& ref) {
  PayloadWriter w;
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(kMagic), 4)).u8(kVersion).bytes(ref.serial);
  w.u16(ref.object_id).u8(static_cast<uint8_t>(ref.curve.curve));
  w.u16(static_cast<uint16_t>(ref.public_point.size())).bytes(ref.public_point);
  Bytes body = der_wrap(w.bytes());
  std::string b64(4 * ((body.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), body.data(), static_cast<int>(body.size()));
  b64.resize(static_cast<size_t>(n));
  std::string out = begin_line() + "\n";
  for (size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  out += end_line() + "\n";
  return out;
}

std::optional<Bytes> key_reference_pem_body(const std::string& text) {
  size_t begin = text.find(begin_line());
  if (begin == std::string::npos) return std::nullopt;
  size_t start = begin + begin_line().size();
  size_t end = text.find(end_line(), start);
  if (end == std::string::npos) throw std::runtime_error("the key reference has no END line");
  std::string b64;
  for (size_t i = start; i < end; ++i)
    if (!std::isspace(static_cast<unsigned char>(text[i]))) b64.push_back(text[i]);
  if (b64.size() < 4 || b64.size() % 4 != 0 || b64.size() > 1024)
    throw std::runtime_error("the key reference's base64 body is damaged");
  Bytes body(b64.size() / 4 * 3);
  int n = EVP_DecodeBlock(body.data(), reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) throw std::runtime_error("the key reference's base64 body is damaged");
  size_t pad = b64[b64.size() - 1] == '=' ? (b64[b64.size() - 2] == '=' ? 2 : 1) : 0;
  body.resize(static_cast<size_t>(n) - pad);
  return body;
}

std::optional<KeyReference> decode_key_reference_pem(const std::string& text) {
  auto body = key_reference_pem_body(text);
  if (!body) return std::nullopt;
  auto ref = decode_key_reference_body(*body);
  if (!ref) throw std::runtime_error("not a MAXQ1061 key reference");
  return ref;
}

std::optional<KeyReference> decode_key_reference_body(ByteView der) {
  size_t seq_len = 0, oct_len = 0;
  auto seq = der_take(der, 0x30, seq_len);
  if (!seq) return std::nullopt;
  auto octets = der_take(*seq, 0x04, oct_len);
  if (!octets || oct_len != seq->size()) return std::nullopt;
  ByteView body = *octets;
  if (body.size() < 4 || !std::equal(body.begin(), body.begin() + 4, kMagic)) return std::nullopt;
  if (seq_len != der.size()) throw std::runtime_error("the key reference has trailing bytes");
  KeyReference ref;
  try {
    PayloadReader r(body, "key reference");
    r.bytes(4);  // magic, checked above
    uint8_t version = r.u8();
    if (version != kVersion)
      throw std::runtime_error("key reference version " + std::to_string(version) + " is not supported");
    ByteView serial = r.bytes(wire::kSerialBytes);
    std::copy(serial.begin(), serial.end(), ref.serial.begin());
    ref.object_id = r.u16();
    auto curve = wire::curve_info(r.u8());
    if (!curve) throw std::runtime_error("the key reference names an unknown curve");
    ref.curve = *curve;
    ref.public_point = r.bytes(r.u16()).to_bytes();
    r.expect_end();
  } catch (const MalformedPayload& e) {
    throw std::runtime_error(std::string("the key reference is truncated or damaged: ") + e.what());
  }
  if (ref.public_point.size() != 1 + 2 * ref.curve.field_bytes || ref.public_point[0] != 0x04)
    throw std::runtime_error("the key reference's public point has the wrong size");
  return ref;
}

}  // namespace maxq::provider
