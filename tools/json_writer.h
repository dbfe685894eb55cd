// A minimal streaming JSON writer for the tool's --json output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace maxq::tool {

class JsonWriter {
 public:
  JsonWriter& begin_object(std::string_view key = {});
  JsonWriter& end_object();
  JsonWriter& begin_array(std::string_view key = {});
  JsonWriter& end_array();
  JsonWriter& field(std::string_view key, std::string_view value);
  JsonWriter& field(std::string_view key, const char* value) {
    return field(key, std::string_view(value));
  }
  JsonWriter& field(std::string_view key, uint64_t value);
  JsonWriter& field(std::string_view key, int value) {
    return field(key, static_cast<uint64_t>(value));
  }
  JsonWriter& field(std::string_view key, bool value);
  const std::string& str() const { return out_; }

 private:
  void separator(std::string_view key);
  static void quote(std::string& out, std::string_view s);
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written yet
};

}  // namespace maxq::tool
