// The command plumbing: MAXQ1061_DEBUG tracing, and what a caller sees when
// the exchange itself fails.
#include <stdlib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "test/support/temp_chip.h"
#include "transport/errors.h"

using namespace maxq;
using maxq::testing::TempChip;

namespace {

// Redirects stderr (fd 2) into a file for its lifetime.
class StderrCapture {
 public:
  explicit StderrCapture(std::string path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = dup(2);
    FILE* f = std::fopen(path_.c_str(), "w");
    REQUIRE(f);
    dup2(fileno(f), 2);
    std::fclose(f);
  }
  ~StderrCapture() { restore(); }
  std::string text() {
    restore();
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
  }
  std::string path_;
  int saved_ = -1;
};

}  // namespace

TEST_CASE("MAXQ1061_DEBUG traces names, sizes and status, never payload bytes", "[trace]") {
  TempChip t;
  auto setup = t.open_device();
  t.authenticate(*setup);
  setup->create_object(transport::ObjectSpec::key_pair(0x0101, wire::Curve::P256));
  transport::PublicKey pub = setup->generate_key(0x0101, wire::Curve::P256);

  setenv("MAXQ1061_DEBUG", "1", 1);
  auto dev = t.open_device();
  unsetenv("MAXQ1061_DEBUG");
  StderrCapture capture(t.dir.file("stderr.txt"));
  Bytes digest(32, 0xA7);
  Bytes sig = dev->sign(0x0101, digest);
  SecretBytes secret = dev->ecdh(0x0101, pub.xy);
  CHECK_THROWS_AS(dev->read_object(0x0777), transport::ChipError);
  std::string log = capture.text();

  CHECK_THAT(log, Catch::Contains("maxq1061: sim:" + t.state +
                                  ": sign with key 0x0101: status "
                                  "0x0000, 64 bytes in") &&
                      Catch::Contains("key exchange with key 0x0101: status 0x0000, 32 bytes in") &&
                      Catch::Contains("read object 0x0777: status 0x0004") &&
                      Catch::Contains("1 attempt(s)") && Catch::Contains(" us\n"));
  // No bytes of the secret, the signature or the digest in any form.
  for (const Bytes& b : {secret.view().to_bytes(), sig, digest}) {
    std::string hex = to_hex(ByteView(b).subview(0, 8));
    CHECK(log.find(hex) == std::string::npos);
  }

  // Without the variable, nothing at all.
  StderrCapture quiet(t.dir.file("quiet.txt"));
  setup->ping(Bytes{1});
  CHECK(quiet.text().empty());
}

TEST_CASE("a silent chip fails fast with a small poll budget and names command and device",
          "[trace][faults]") {
  TempChip t;
  transport::SpiLinkOptions options;
  options.poll_budget = 4096;
  auto dev = t.open_device(options);
  sim::Chip& chip = TempChip::chip_of(*dev);
  chip.faults().go_silent(true);
  auto start = std::chrono::steady_clock::now();
  try {
    dev->status();
    FAIL("a silent chip answered");
  } catch (const transport::LinkError& e) {
    CHECK(e.kind() == transport::LinkError::Kind::Timeout);
    CHECK_THAT(e.what(), Catch::Contains("get status on sim:" + t.state +
                                         ": the chip did not "
                                         "answer the command within 4096 polls"));
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  chip.faults().go_silent(false);
  CHECK(dev->status().product == "MAXQ1061");
}
