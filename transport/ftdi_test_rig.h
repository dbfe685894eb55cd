// Test rig of the FTDI link: a simulated chip behind the in-memory FT232H
// behind the libftdi seam, with every seam call recorded.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "simulated_links/ftdi_model_usb.h"
#include "simulator/sim_daemon_test_support.h"
#include "transport/device.h"
#include "transport/ftdi_mpsse_bus.h"
#include "transport/spi_link.h"

namespace maxq::transport::testing {

using sim::testing::ScratchChip;

inline const Bytes kPingData = {0x00, 0x01, 0x02, 0x03};
inline const Bytes kPingFrame = {0xAA, 0x00, 0xF7, 0x00, 0x04, 0x00, 0x01, 0x02, 0x03, 0xE1, 0x09};

// Logs every seam call (into a log that outlives it), then hands it to the model.
class RecordingUsb : public FtdiUsb {
 public:
  RecordingUsb(std::unique_ptr<ModelFtdiUsb> inner, std::shared_ptr<std::vector<std::string>> log)
      : calls(*log), inner_(std::move(inner)), log_(std::move(log)) {}
  int open(const std::string& d, char i) override {
    calls.push_back("open " + d + (i ? std::string(" ") + i : ""));
    return inner_->open(d, i);
  }
  int reset() override { return log("reset", inner_->reset()); }
  int purge() override { return log("purge", inner_->purge()); }
  int set_latency_timer(uint8_t ms) override {
    return log("latency " + std::to_string(ms), inner_->set_latency_timer(ms));
  }
  int set_bitmode(uint8_t mask, uint8_t mode) override {
    return log("bitmode " + std::to_string(mask) + " " + std::to_string(mode),
               inner_->set_bitmode(mask, mode));
  }
  int write(const uint8_t* d, int n) override {
    return log("write " + to_hex(ByteView(d, static_cast<size_t>(n))), inner_->write(d, n));
  }
  int read(uint8_t* d, int n) override {
    int r = inner_->read(d, n);
    return log("read " + std::to_string(n) + " -> " + std::to_string(r), r);
  }
  void close() override {
    calls.push_back("close");
    inner_->close();
  }
  std::string error_string() const override { return inner_->error_string(); }
  ModelFtdiUsb& inner() { return *inner_; }
  std::vector<std::string>& calls;

 private:
  int log(std::string what, int r) {
    calls.push_back(std::move(what));
    return r;
  }
  std::unique_ptr<ModelFtdiUsb> inner_;
  std::shared_ptr<std::vector<std::string>> log_;
};

// A chip behind the model FT232H behind the recording seam.
struct Rig {
  ScratchChip chip;
  RecordingUsb* usb = nullptr;  // owned by the bus under test
  std::shared_ptr<std::vector<std::string>> log = std::make_shared<std::vector<std::string>>();
  sim::MpsseModel* model = nullptr;

  std::unique_ptr<FtdiUsb> make_usb(unsigned wired_cs = 3) {
    auto m = std::make_unique<sim::MpsseModel>(sim::Chip::open(chip.state), wired_cs);
    model = m.get();
    m->record_writes(true);
    auto rec = std::make_unique<RecordingUsb>(std::make_unique<ModelFtdiUsb>(std::move(m)), log);
    usb = rec.get();
    return rec;
  }
  FtdiBusConfig config(uint32_t hz = 1000000) {
    FtdiBusConfig c;
    c.description = "i:0x0403:0x6014";
    c.spi_clock_hz = hz;
    c.read_timeout = std::chrono::milliseconds(200);
    return c;
  }
  std::unique_ptr<FtdiMpsseBus> bus(uint32_t hz = 1000000) {
    return std::make_unique<FtdiMpsseBus>(make_usb(), config(hz));
  }
  std::unique_ptr<Device> device(uint32_t hz = 1000000) {
    return std::make_unique<Device>(std::make_unique<SpiLink>(bus(hz)));
  }
  ModelFtdiUsb& model_usb() { return usb->inner(); }
  // Every seam call so far, also after the bus (and its seam) went away.
  std::vector<std::string>& calls() { return *log; }
};

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace maxq::transport::testing
