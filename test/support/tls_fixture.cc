#include "test/support/tls_fixture.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>

#include "simulator/chip.h"
#include "wire/openssl_handles.h"

namespace maxq::tls_fixture {
namespace {

using ossl::BioPtr;
using ossl::PkeyCtxPtr;

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what + ": " + openssl_errors());
}

}  // namespace

std::string openssl_errors() {
  std::string s;
  unsigned long e;
  const char* data = nullptr;
  int flags = 0;
  char buf[256];
  while ((e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    ERR_error_string_n(e, buf, sizeof buf);
    if (!s.empty()) s += "; ";
    s += buf;
    if (data && *data && (flags & ERR_TXT_STRING)) s += std::string(" (") + data + ")";
  }
  return s.empty() ? "no OpenSSL error reported" : s;
}

LibraryContext LibraryContext::software() {
  LibraryContext c;
  c.ctx_.reset(OSSL_LIB_CTX_new());
  if (c.ctx_) c.default_.reset(OSSL_PROVIDER_load(c.ctx_.get(), "default"));
  check(c.default_ != nullptr, "default provider");
  return c;
}

LibraryContext LibraryContext::with_chip(const std::string& module_dir, const std::string& work_dir,
                                         const ChipConfig& chip) {
  if (access(chip.state_path.c_str(), F_OK) != 0)
    sim::Chip::provision(chip.state_path, chip.state_path + ".admin.pem",
                         chip.state_path + ".key-import.pem");
  std::string conf = chip.state_path + ".openssl.cnf";
  {
    std::ofstream f(conf, std::ios::trunc);
    f << "openssl_conf = init\n[init]\nproviders = prov\n";
    if (chip.full_offload) f << "alg_section = algs\nrandom = rnd\n";
    f << "[prov]\ndefault = def\nmaxq1061 = mx\n[def]\nactivate = 1\n"
      << "[mx]\nmodule = " << module_dir << "/maxq1061.so\nactivate = 1\n"
      << "device = " << (chip.device.empty() ? "sim:" + chip.state_path : chip.device) << "\n"
      << "admin-key = " << chip.state_path << ".admin.pem\n"
      << "key-import-key = " << chip.state_path << ".key-import.pem\n";
    if (chip.full_offload)
      f << "[algs]\ndefault_properties = ?provider=maxq1061\n[rnd]\nseed = MAXQ1061-TRNG\n";
    check(static_cast<bool>(f), "write " + conf);
  }
  (void)work_dir;
  LibraryContext c;
  c.ctx_.reset(OSSL_LIB_CTX_new());
  c.chip_state_ = chip.state_path;
  check(c.ctx_ && OSSL_LIB_CTX_load_config(c.ctx_.get(), conf.c_str()), "load " + conf);
  return c;
}

TestCa::TestCa(OSSL_LIB_CTX* software) : software_(software) {
  key_.reset(EVP_PKEY_Q_keygen(software, nullptr, "EC", "P-256"));
  check(key_ != nullptr, "CA key");
  cert_ = issue(key_.get(), "maxq1061 bench CA");
}

X509Ptr TestCa::issue(EVP_PKEY* key, const std::string& cn) const {
  X509Ptr x(X509_new_ex(software_, nullptr));
  check(x != nullptr, "X509_new_ex");
  X509_set_version(x.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()),
                   static_cast<long>(std::hash<std::string>{}(cn)&0x7fffffff));
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  // Self-signed when issuing the CA itself, which must say it is a CA.
  X509_set_issuer_name(x.get(), cert_ ? X509_get_subject_name(cert_.get()) : name);
  if (!cert_) {
    std::unique_ptr<BASIC_CONSTRAINTS, ossl::Deleter<BASIC_CONSTRAINTS_free>> bc(
        BASIC_CONSTRAINTS_new());
    check(bc != nullptr, "basic constraints");
    bc->ca = 1;
    check(X509_add1_ext_i2d(x.get(), NID_basic_constraints, bc.get(), 1, X509V3_ADD_DEFAULT) == 1,
          "CA extension");
  }
  check(X509_set_pubkey(x.get(), key) == 1, "X509_set_pubkey for " + cn);
  check(X509_sign(x.get(), key_.get(), EVP_sha256()) > 0, "sign certificate " + cn);
  return x;
}

PkeyPtr make_key(const LibraryContext& ctx, const std::string& curve, bool on_chip, int id) {
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(ctx.get(), "EC",
                                             on_chip ? "provider=maxq1061" : "provider=default"));
  check(pctx && EVP_PKEY_keygen_init(pctx.get()) > 0, "keygen init");
  std::string group = curve;
  char id_text[8];
  std::snprintf(id_text, sizeof id_text, "0x%04x", id);
  OSSL_PARAM params[3];
  size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group.data(), 0);
  if (on_chip) params[n++] = OSSL_PARAM_construct_utf8_string("id", id_text, 0);
  params[n] = OSSL_PARAM_construct_end();
  check(EVP_PKEY_CTX_set_params(pctx.get(), params) > 0, "keygen params");
  EVP_PKEY* key = nullptr;
  check(EVP_PKEY_generate(pctx.get(), &key) > 0, on_chip ? "key generation on the chip" : "keygen");
  return PkeyPtr(key);
}

SslCtxPtr make_ssl_ctx(const LibraryContext& ctx, bool server, int version,
                       const std::string& curve, const Identity& id, const TestCa& ca) {
  SslCtxPtr s(
      SSL_CTX_new_ex(ctx.get(), nullptr, server ? TLS_server_method() : TLS_client_method()));
  check(s != nullptr, "SSL_CTX_new_ex");
  int v = version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(s.get(), v);
  SSL_CTX_set_max_proto_version(s.get(), v);
  SSL_CTX_set_session_cache_mode(s.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(s.get(), SSL_OP_NO_TICKET);
  // OpenSSL 3.0 refuses the NIST alias once two providers offer the group.
  const char* group = curve == "P-384" ? "secp384r1" : "secp256r1";
  check(SSL_CTX_set1_groups_list(s.get(), group) == 1, std::string("groups ") + group);
  check(SSL_CTX_use_certificate(s.get(), id.cert.get()) == 1, "use certificate");
  check(SSL_CTX_use_PrivateKey(s.get(), id.key.get()) == 1, "use private key");
  check(SSL_CTX_check_private_key(s.get()) == 1, "certificate/key match");
  X509_STORE* store = SSL_CTX_get_cert_store(s.get());
  check(X509_STORE_add_cert(store, ca.cert()) == 1, "trust CA");
  SSL_CTX_set_verify(s.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return s;
}

void run_handshake(SSL_CTX* client_ctx, SSL_CTX* server_ctx) {
  SslPtr client(SSL_new(client_ctx)), server(SSL_new(server_ctx));
  check(client && server, "SSL_new");
  BIO *cb = nullptr, *sb = nullptr;
  check(BIO_new_bio_pair(&cb, 0, &sb, 0) == 1, "BIO pair");
  SSL_set_bio(client.get(), cb, cb);
  SSL_set_bio(server.get(), sb, sb);
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(server.get());
  bool client_done = false, server_done = false;
  for (int round = 0; round < 64 && !(client_done && server_done); ++round) {
    if (!client_done) {
      int r = SSL_do_handshake(client.get());
      if (r == 1)
        client_done = true;
      else if (SSL_get_error(client.get(), r) != SSL_ERROR_WANT_READ)
        throw std::runtime_error("client handshake: " + openssl_errors());
    }
    if (!server_done) {
      int r = SSL_do_handshake(server.get());
      if (r == 1)
        server_done = true;
      else if (SSL_get_error(server.get(), r) != SSL_ERROR_WANT_READ)
        throw std::runtime_error("server handshake: " + openssl_errors());
    }
  }
  if (!(client_done && server_done)) throw std::runtime_error("handshake did not complete");
  // TLS 1.3 servers verify the client's certificate after the client finishes;
  // a byte each way makes sure both sides accepted everything.
  char byte = 'x';
  check(SSL_write(client.get(), &byte, 1) == 1, "client write");
  check(SSL_read(server.get(), &byte, 1) == 1, "server read");
  check(SSL_get_verify_result(server.get()) == X509_V_OK, "client certificate verification");
}

}  // namespace maxq::tls_fixture
