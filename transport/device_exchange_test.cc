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

// "AA 00 F7 ...", the notation of the protocol document and of the trace.
std::string spaced(ByteView b) {
  std::string out;
  for (uint8_t v : b) {
    char two[4];
    std::snprintf(two, sizeof two, "%02X", v);
    if (!out.empty()) out += ' ';
    out += two;
  }
  return out;
}

}  // namespace

TEST_CASE("MAXQ1061_DEBUG traces names, sizes and status, never payload bytes", "[trace]") {
  TempChip t;
  auto setup = t.open_device();
  transport::PublicKey pub = t.make_key(*setup, 0x0101);

  setenv("MAXQ1061_DEBUG", "1", 1);
  auto dev = t.open_device();
  unsetenv("MAXQ1061_DEBUG");
  StderrCapture capture(t.dir.file("stderr.txt"));
  Bytes digest(32, 0xA7);
  Bytes sig = dev->sign(0x0101, digest);
  SecretBytes secret = dev->ecdh(0x0101, pub.xy);
  CHECK_THROWS_AS(dev->read_object(0x0777), transport::ChipError);
  Bytes random = dev->random(16);
  std::string log = capture.text();

  CHECK_THAT(log, Catch::Contains("maxq1061: sim:" + t.state +
                                  ": sign with key 0x0101: status "
                                  "0x0000, 64 bytes in") &&
                      Catch::Contains("key exchange with key 0x0101: status 0x0000, 32 bytes in") &&
                      Catch::Contains("read object 0x0777: status 0x0004") &&
                      Catch::Contains("1 attempt(s)") && Catch::Contains(" us\n"));
  // No bytes of the secret, the signature or the digest in any form.
  CHECK_THAT(log, Catch::Contains("get random: status 0x0000, 16 bytes in"));
  CHECK(log.find("> AA 00") == std::string::npos);  // no frames at this level
  for (const Bytes& b : {secret.view().to_bytes(), sig, digest, random}) {
    for (const std::string& hex :
         {to_hex(ByteView(b).subview(0, 8)), spaced(ByteView(b).subview(0, 8))})
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

TEST_CASE("MAXQ1061_DEBUG=frames prints the frames in hex, random bytes and secrets by length only",
          "[trace]") {
  TempChip t;
  auto setup = t.open_device();
  transport::PublicKey pub = t.make_key(*setup, 0x0101);

  setenv("MAXQ1061_DEBUG", "frames", 1);
  auto dev = t.open_device();
  unsetenv("MAXQ1061_DEBUG");
  StderrCapture capture(t.dir.file("frames.txt"));
  dev->ping(Bytes{0x00, 0x01, 0x02, 0x03});
  Bytes random = dev->random(16);
  Bytes challenge = dev->challenge(40);
  Bytes digest(32, 0xA7);
  dev->sign(0x0101, digest);
  SecretBytes secret = dev->ecdh(0x0101, pub.xy);
  std::string log = capture.text();

  const std::string device = "maxq1061: sim:" + t.state + " ";
  // The published ping exchange, as the protocol document prints it.
  CHECK_THAT(log, Catch::Contains(device + "> AA 00 F7 00 04 00 01 02 03 E1 09\n") &&
                      Catch::Contains(device + "< 55 00 00 00 04 00 01 02 03 22 32\n"));
  // Get challenge (16 bytes, §7): the request whole, the answer's data by its length.
  CHECK_THAT(log, Catch::Contains(device + "> AA 00 C7 00 02 00 10 1F D7\n") &&
                      Catch::Contains(device + "< 55 00 00 00 10 <16 data bytes not shown> ") &&
                      Catch::Contains(device + "< 55 00 00 00 28 <40 data bytes not shown> "));
  // A sign request is shown whole: reserved u16, the digest as field-size data.
  CHECK_THAT(log, Catch::Contains(device + "> AA 00 C8 00 2A 02 08 01 01 00 00 00 20 " +
                                  spaced(digest) + " 00 00 "));
  CHECK_THAT(log, Catch::Contains("< 55 00 00 00 20 <32 data bytes not shown> "));  // ECDH
  // The command lines come too.
  CHECK_THAT(log, Catch::Contains("get random: status 0x0000, 16 bytes in"));
  // Not one random or secret byte sequence, in any 4-byte window.
  for (const Bytes& b : {random, challenge, secret.view().to_bytes()})
    for (size_t i = 0; i + 4 <= b.size(); ++i) {
      std::string hex = spaced(ByteView(b).subview(i, 4));
      INFO(hex);
      CHECK(log.find(hex) == std::string::npos);
    }
}
