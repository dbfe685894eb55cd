#include <cstdio>

#include "tools/broker_status.h"
#include "tools/chip_names.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "wire/bytes.h"
#include "wire/status_layout.h"

namespace maxq::tool {
namespace {

// Whether the device is a real part or a model whose keys sit in a file.
struct DeviceNature {
  const char* kind;  // "simulated", "hardware", "broker"
  std::string text;
};

DeviceNature nature_of(const transport::DeviceSpec& spec) {
  // A simulated link says where its keys really are (simulated_links/).
  if (!spec.simulated_note.empty()) return {"simulated", spec.simulated_note};
  if (spec.scheme == "ftdi") return {"hardware", "MAXQ1061 on an FTDI bridge"};
  if (spec.scheme == "broker")
    return {"broker", "the chip of the maxq1061d broker at " + spec.target +
                          " (simulated or not: see the broker's device setting)"};
  return {"unknown", ""};
}

std::string hardware_text(uint8_t code) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%02X (rev %02X)", code, code);
  return buf;
}

}  // namespace

int run_status(ToolContext& ctx, const Args&) {
  transport::DeviceSpec spec = ctx.device_spec();
  transport::ChipStatus s = ctx.device().status();
  char fw[16];
  std::snprintf(fw, sizeof fw, "%u.%u.%u", s.firmware[0], s.firmware[1], s.firmware[2]);
  std::string serial = to_hex(ByteView(s.serial));
  ByteView config(s.config);
  uint16_t need_host = wire::config_word(config, wire::kConfigSecPolicyNeedHost);
  uint16_t terminated = wire::config_word(config, wire::kConfigTerminatedEnable);
  uint16_t master_secret = wire::config_word(config, wire::kConfigTlsMasterSecretOutput);
  uint16_t factory_reset =
      wire::config_word(ByteView(s.sysconfig), wire::kSysConfigAllowFactoryReset);
  DeviceNature nature = nature_of(spec);
  if (ctx.json()) {
    JsonWriter j;
    j.begin_object()
        .field("device", ctx.device_string())
        .field("device_kind", nature.kind)
        .field("simulated", std::string(nature.kind) == "simulated")
        .field("product", s.product)
        .field("firmware", fw)
        .field("hardware_code", uint64_t{s.hardware_code})
        .field("hardware", hardware_text(s.hardware_code))
        .field("serial", serial)
        .field("lifecycle", lifecycle_name(s.lifecycle))
        .field("free_memory", uint64_t{s.free_memory})
        .field("total_memory", uint64_t{s.total_memory});
    j.begin_object("config")
        .field("host_condition_required", config_flag_text(need_host))
        .field("terminated_allowed", config_flag_text(terminated))
        .field("tls_master_secret_output", config_flag_text(master_secret))
        .field("factory_reset", config_flag_text(factory_reset))
        .field("i2c_address", uint64_t{wire::config_word(config, wire::kConfigI2cAddress)})
        .field("raw", to_hex(ByteView(s.config)))
        .field("sysconfig_raw", to_hex(ByteView(s.sysconfig)))
        .end_object();
    add_broker_status(ctx, &j);
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return kExitOk;
  }
  std::printf(
      "device       %s\n"
      "             %s\n"
      "product      %s\n"
      "firmware     %s\n"
      "hardware     %s\n"
      "serial       %s\n"
      "lifecycle    %s\n"
      "memory       %u of %u bytes free\n"
      "config       HOST condition required: %s; TERMINATED allowed: %s;\n"
      "             TLS master secret output: %s; factory reset: %s\n",
      ctx.device_string().c_str(), nature.text.c_str(), s.product.c_str(), fw,
      hardware_text(s.hardware_code).c_str(), serial.c_str(), lifecycle_name(s.lifecycle).c_str(),
      s.free_memory, s.total_memory, config_flag_text(need_host).c_str(),
      config_flag_text(terminated).c_str(), config_flag_text(master_secret).c_str(),
      config_flag_text(factory_reset).c_str());
  add_broker_status(ctx, nullptr);
  return kExitOk;
}

}  // namespace maxq::tool
