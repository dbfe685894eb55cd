#include "tools/json_writer.h"

#include <cstdio>

namespace maxq::tool {

void JsonWriter::quote(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void JsonWriter::separator(std::string_view key) {
  if (!first_.empty()) {
    if (!first_.back()) out_.push_back(',');
    first_.back() = false;
  }
  if (!key.empty()) {
    quote(out_, key);
    out_.push_back(':');
  }
}

JsonWriter& JsonWriter::begin_object(std::string_view key) {
  separator(key);
  out_.push_back('{');
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_.push_back('}');
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::begin_array(std::string_view key) {
  separator(key);
  out_.push_back('[');
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_.push_back(']');
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::field(std::string_view key, std::string_view value) {
  separator(key);
  quote(out_, value);
  return *this;
}
JsonWriter& JsonWriter::field(std::string_view key, uint64_t value) {
  separator(key);
  out_ += std::to_string(value);
  return *this;
}
JsonWriter& JsonWriter::field(std::string_view key, bool value) {
  separator(key);
  out_ += value ? "true" : "false";
  return *this;
}

}  // namespace maxq::tool
