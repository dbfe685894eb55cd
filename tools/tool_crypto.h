// The little libcrypto work the tool does (PEM of a public key, certificate
// parsing), in the process's software library context (wire/software_libctx.h).
#pragma once

#include <string>

#include "transport/device.h"
#include "wire/bytes.h"
#include "wire/protocol.h"

namespace maxq::tool {

// SubjectPublicKeyInfo PEM of a chip public key.
std::string public_key_pem(const transport::PublicKey& key);
// DER of the certificate in `contents` (PEM or DER); throws std::runtime_error
// naming `path` when it is not a certificate.
Bytes certificate_der(const std::string& contents, const std::string& path);
// The curve of the certificate's subject key; throws std::runtime_error naming
// `path` when the key is not EC or on a curve the chip does not know.
wire::CurveInfo certificate_key_curve(ByteView der, const std::string& path);

}  // namespace maxq::tool
