#include "transport/ftdi_mpsse_bus.h"

#include <algorithm>

namespace maxq::transport {
namespace {

// MPSSE opcodes (FTDI AN_108).
constexpr uint8_t kSetLowPins = 0x80;
constexpr uint8_t kLoopbackOff = 0x85;
constexpr uint8_t kSetDivisor = 0x86;
constexpr uint8_t kSendImmediate = 0x87;
constexpr uint8_t kDivideBy5Off = 0x8A;
constexpr uint8_t kThreePhaseOff = 0x8D;
constexpr uint8_t kAdaptiveOff = 0x97;
// Bytes out on the falling edge, in on the rising edge, MSB first: SPI mode 0.
constexpr uint8_t kTransferBytes = 0x31;
constexpr uint8_t kBogusCommand = 0xAA;  // answered with 0xFA 0xAA: proves the MPSSE listens
constexpr uint8_t kBadCommandReply = 0xFA;
constexpr size_t kMaxTransferPerCommand = 65536;

constexpr uint8_t kBitmodeReset = 0x00;
constexpr uint8_t kBitmodeMpsse = 0x02;

constexpr uint8_t kSck = 0x01, kMosi = 0x02;  // ADBUS0, ADBUS1; MISO is ADBUS2 (input)

constexpr const char* kUdevHint =
    "install the udev rule from docs/hardware.md (or add yourself to the group it names), then "
    "unplug and replug the bridge";

}  // namespace

FtdiBusConfig FtdiBusConfig::from_spec(const DeviceSpec& spec) {
  FtdiBusConfig c;
  c.description = spec.target;
  for (const DeviceOption& o : spec.options) {
    if (o.key == "spi-clock-hz") {
      c.spi_clock_hz = parse_spi_clock_hz(o.value);
    } else if (o.key == "ftdi-interface") {
      if (o.value.size() != 1 || o.value[0] < 'A' || o.value[0] > 'D')
        throw ConfigError("ftdi-interface must be A, B, C or D");
      c.interface = o.value[0];
    } else if (o.key == "cs-pin") {
      c.cs_pin = parse_option_number(o.key, o.value);
      if (c.cs_pin < 3 || c.cs_pin > 7)
        throw ConfigError("cs-pin must be an ADBUS pin from 3 to 7");
    } else {
      throw ConfigError("unknown option '" + o.key + "'");
    }
  }
  return c;
}

std::string FtdiBusConfig::options_text() const {
  // Non-default options only, in the order device_spec.h documents.
  FtdiBusConfig defaults;
  std::string out;
  if (spi_clock_hz != defaults.spi_clock_hz) out += ",spi-clock-hz=" + std::to_string(spi_clock_hz);
  if (interface != 0) out += std::string(",ftdi-interface=") + interface;
  if (cs_pin != defaults.cs_pin) out += ",cs-pin=" + std::to_string(cs_pin);
  return out;
}

uint16_t FtdiMpsseBus::clock_divisor(uint32_t hz) {
  if (hz < kMinClockHz || hz > kMaxClockHz)
    throw ConfigError("spi-clock-hz=" + std::to_string(hz) +
                      " is out of range: an FTDI MPSSE bridge clocks SPI from " +
                      std::to_string(kMinClockHz) + " Hz to " + std::to_string(kMaxClockHz) +
                      " Hz (Maxim's host SDK uses 1000000)");
  // SCK = 60 MHz / ((1 + divisor) * 2); never faster than asked.
  const uint32_t half = kBaseClockHz / 2;
  uint32_t divisor = (half + hz - 1) / hz - 1;
  uint32_t below = half / (divisor + 1);
  if (static_cast<uint64_t>(below) * 100 < static_cast<uint64_t>(hz) * 99) {
    std::string above = divisor > 0 ? std::to_string(half / divisor) + " Hz" : "none";
    throw ConfigError("spi-clock-hz=" + std::to_string(hz) +
                      " cannot be made by the bridge (60 MHz / ((1 + divisor) * 2)); the nearest "
                      "clocks are " +
                      std::to_string(below) + " Hz and " + above + ": use one of them");
  }
  return static_cast<uint16_t>(divisor);
}

FtdiMpsseBus::FtdiMpsseBus(std::unique_ptr<FtdiUsb> usb, FtdiBusConfig config)
    : usb_(std::move(usb)), config_(std::move(config)) {
  if (config_.cs_pin < 3 || config_.cs_pin > 7)
    throw ConfigError(FtdiMpsseBus::describe() +
                      ": cs-pin must be an ADBUS pin from 3 to 7 (ADBUS0..2 are SCK, MOSI, MISO)");
  if (config_.interface != 0 && (config_.interface < 'A' || config_.interface > 'D'))
    throw ConfigError(FtdiMpsseBus::describe() + ": ftdi-interface must be A, B, C or D");
  try {
    divisor_ = clock_divisor(config_.spi_clock_hz);
  } catch (const ConfigError& e) {
    throw ConfigError(FtdiMpsseBus::describe() + ": " + e.what());
  }
  cs_mask_ = static_cast<uint8_t>(1u << config_.cs_pin);
  open_and_configure();
}

FtdiMpsseBus::~FtdiMpsseBus() {
  if (recovery_ != Recovery::Reopen) {
    const uint8_t release[] = {kSetLowPins, cs_mask_,
                               static_cast<uint8_t>(kSck | kMosi | cs_mask_)};
    usb_->write(release, sizeof(release));
    usb_->set_bitmode(0, kBitmodeReset);
  }
  usb_->close();
}

std::string FtdiMpsseBus::libftdi_says() const {
  return "libftdi: " + usb_->error_string();
}

void FtdiMpsseBus::fail(LinkError::Kind kind, const std::string& what) {
  if (kind == LinkError::Kind::Timeout && recovery_ == Recovery::None)
    recovery_ = Recovery::Purge;
  else
    recovery_ = Recovery::Reopen;
  throw LinkError(kind, FtdiMpsseBus::describe() + ": " + what);
}

void FtdiMpsseBus::open_and_configure() {
  recovery_ = Recovery::Reopen;
  int r = usb_->open(config_.description, config_.interface);
  if (r < 0) {
    std::string says = " (" + libftdi_says() + ", code " + std::to_string(r) + ")";
    switch (r) {
      case -3:
        fail(LinkError::Kind::NotFound,
             "no FTDI bridge matches '" + config_.description + "'" + says +
                 ": check the USB cable and the description (lsusb shows VENDOR:PRODUCT; an FT232H "
                 "is ftdi:i:0x0403:0x6014, one of several ftdi:s:0x0403:0x6014:SERIAL)");
      case -4:  // libusb_open() failed: on Linux almost always EACCES
      case -8:  // inappropriate permissions on device
        fail(LinkError::Kind::Permission,
             "permission denied opening the USB device" + says + ": " + kUdevHint);
      case -5:
        fail(LinkError::Kind::Io,
             "cannot claim the USB interface" + says +
                 ": another program (or the ftdi_sio driver) holds it; only one "
                 "process at a time can use the bridge");
      case -11:
        throw ConfigError(
            FtdiMpsseBus::describe() + ": '" + config_.description +
            "' is not a libftdi description string" + says +
            "; use i:VENDOR:PRODUCT[:INDEX], s:VENDOR:PRODUCT:SERIAL or d:BUS/DEVICE");
      default:
        fail(LinkError::Kind::Io, "cannot open the FTDI bridge" + says);
    }
  }
  auto step = [&](int result, const char* what) {
    if (result < 0)
      fail(LinkError::Kind::Io, std::string("configuring the bridge failed at ") + what + " (" +
                                    libftdi_says() + "); unplug and replug it and try again");
  };
  step(usb_->reset(), "USB reset");
  step(usb_->purge(), "purging its buffers");
  step(usb_->set_latency_timer(config_.latency_ms), "setting the latency timer");
  step(usb_->set_bitmode(0, kBitmodeReset), "resetting the bit mode");
  step(usb_->set_bitmode(0, kBitmodeMpsse), "entering MPSSE mode");

  // An invalid opcode must come back as 0xFA and the opcode: the MPSSE is in sync.
  const uint8_t sync[] = {kBogusCommand, kSendImmediate};
  write_all(ByteView(sync, sizeof(sync)), "during MPSSE synchronisation");
  uint8_t answer[2] = {0, 0};
  try {
    read_exact(answer, sizeof(answer), "during MPSSE synchronisation", config_.read_timeout);
  } catch (const LinkError& e) {
    if (e.kind() != LinkError::Kind::Timeout) throw;
    fail(LinkError::Kind::Io,
         "the bridge did not answer the MPSSE synchronisation: is it an "
         "MPSSE-capable FTDI part (FT232H, FT2232H, FT4232H) and the right "
         "interface (ftdi-interface=A or B)?");
  }
  if (answer[0] != kBadCommandReply || answer[1] != kBogusCommand)
    fail(LinkError::Kind::Io, "the bridge answered the MPSSE synchronisation with " +
                                  to_hex(ByteView(answer, 2)) + " instead of faaa");
  write_all(configuration_commands(), "while configuring SPI");
  recovery_ = Recovery::None;
}

Bytes FtdiMpsseBus::configuration_commands() const {
  return {kDivideBy5Off,  // 60 MHz base clock
          kAdaptiveOff, kThreePhaseOff, kLoopbackOff, kSetDivisor, static_cast<uint8_t>(divisor_),
          static_cast<uint8_t>(divisor_ >> 8),
          // SCK low (mode 0), MOSI low, chip select high; SCK, MOSI, CS outputs.
          kSetLowPins, cs_mask_, static_cast<uint8_t>(kSck | kMosi | cs_mask_)};
}

std::vector<FtdiMpsseBus::UsbRoundTrip> FtdiMpsseBus::encode(const std::vector<SpiOp>& ops) const {
  const uint8_t dir = static_cast<uint8_t>(kSck | kMosi | cs_mask_);
  std::vector<UsbRoundTrip> trips(1);
  for (const SpiOp& op : ops) {
    switch (op.kind) {
      case SpiOp::Kind::Select:
        trips.back().write.insert(trips.back().write.end(), {kSetLowPins, 0, dir});
        break;
      case SpiOp::Kind::Deselect:
        trips.back().write.insert(trips.back().write.end(), {kSetLowPins, cs_mask_, dir});
        break;
      case SpiOp::Kind::Transfer:
        for (size_t off = 0; off < op.tx.size();) {
          if (trips.back().read == kMaxReadPerWrite) trips.emplace_back();
          UsbRoundTrip& t = trips.back();
          size_t n =
              std::min({op.tx.size() - off, kMaxReadPerWrite - t.read, kMaxTransferPerCommand});
          t.write.insert(t.write.end(), {kTransferBytes, static_cast<uint8_t>(n - 1),
                                         static_cast<uint8_t>((n - 1) >> 8)});
          t.write.insert(t.write.end(), op.tx.begin() + static_cast<std::ptrdiff_t>(off),
                         op.tx.begin() + static_cast<std::ptrdiff_t>(off + n));
          t.read += n;
          off += n;
        }
        break;
    }
  }
  // Without SEND_IMMEDIATE the bridge would hold the answer until its latency timer fires.
  for (UsbRoundTrip& t : trips)
    if (t.read) t.write.push_back(kSendImmediate);
  return trips;
}

void FtdiMpsseBus::recover() {
  if (recovery_ == Recovery::Purge) {
    const uint8_t deselect[] = {kSetLowPins, cs_mask_,
                                static_cast<uint8_t>(kSck | kMosi | cs_mask_)};
    if (usb_->purge() >= 0 && usb_->write(deselect, sizeof(deselect)) == sizeof(deselect)) {
      recovery_ = Recovery::None;
      return;
    }
  }
  usb_->close();
  open_and_configure();
}

Bytes FtdiMpsseBus::run(const std::vector<SpiOp>& ops) {
  if (recovery_ != Recovery::None) {
    bool only_deselects = std::all_of(
        ops.begin(), ops.end(), [](const SpiOp& op) { return op.kind == SpiOp::Kind::Deselect; });
    if (only_deselects) return {};
    recover();
  }
  Bytes rx;
  for (const UsbRoundTrip& t : encode(ops)) {
    if (t.write.empty()) continue;
    write_all(t.write, "during a command");
    size_t at = rx.size();
    rx.resize(at + t.read);
    // Allow twice the time the bits take on the wire at this clock.
    auto bus_ms = std::chrono::milliseconds(
        static_cast<int64_t>(t.read) * 8 * 2 * 1000 / config_.spi_clock_hz + 1);
    read_exact(rx.data() + at, t.read, "during a command", config_.read_timeout + bus_ms);
  }
  return rx;
}

void FtdiMpsseBus::write_all(ByteView bytes, const std::string& during) {
  int r = usb_->write(bytes.data(), static_cast<int>(bytes.size()));
  if (r < 0)
    fail(LinkError::Kind::Disconnected,
         "writing to the bridge failed " + during + " (" + libftdi_says() +
             "): it was unplugged or reset; reconnect it, the next command reopens it");
  if (static_cast<size_t>(r) != bytes.size())
    fail(LinkError::Kind::Io, "the bridge took " + std::to_string(r) + " of " +
                                  std::to_string(bytes.size()) + " bytes " + during);
}

void FtdiMpsseBus::read_exact(uint8_t* out, size_t n, const std::string& during,
                              std::chrono::milliseconds budget) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  size_t got = 0;
  while (got < n) {
    int r = usb_->read(out + got, static_cast<int>(n - got));
    if (r < 0)
      fail(LinkError::Kind::Disconnected,
           "reading from the bridge failed " + during + " (" + libftdi_says() +
               "): it was unplugged or reset; reconnect it, the next command reopens it");
    if (static_cast<size_t>(r) > n - got)
      fail(LinkError::Kind::Io, "the bridge returned more bytes than were clocked " + during);
    got += static_cast<size_t>(r);
    // libftdi returns 0 after each latency-timer tick without data: keep going until the deadline.
    if (r == 0 && got < n && std::chrono::steady_clock::now() >= deadline)
      fail(LinkError::Kind::Timeout, "the bridge returned " + std::to_string(got) + " of " +
                                         std::to_string(n) + " bytes within " +
                                         std::to_string(budget.count()) + " ms " + during +
                                         "; it stopped answering: check the USB connection");
  }
}

}  // namespace maxq::transport
