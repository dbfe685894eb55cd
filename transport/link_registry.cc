#include "transport/link_registry.h"

#include <utility>

#include "transport/broker_link.h"
#include "transport/errors.h"
#include "transport/ftdi_link.h"

namespace maxq::transport {

void LinkRegistry::add(LinkScheme scheme) {
  for (LinkScheme& s : schemes_)
    if (s.name == scheme.name) {
      s = std::move(scheme);
      return;
    }
  schemes_.push_back(std::move(scheme));
}

const LinkScheme* LinkRegistry::find(const std::string& name) const {
  for (const LinkScheme& s : schemes_)
    if (s.name == name) return &s;
  return nullptr;
}

std::string LinkRegistry::usage() const {
  std::vector<const std::string*> forms;
  for (const LinkScheme& s : schemes_)
    if (s.refusal.empty() && !s.usage.empty()) forms.push_back(&s.usage);
  std::string out;
  for (size_t i = 0; i < forms.size(); ++i)
    out += (i == 0 ? "" : i + 1 == forms.size() ? " or " : ", ") + *forms[i];
  return out;
}

void LinkRegistry::bad(const std::string& device, const std::string& why) const {
  throw ConfigError("device '" + device + "': " + why + ". Use " + usage());
}

DeviceSpec LinkRegistry::parse(const std::string& device) const {
  if (device.find(':') == std::string::npos) bad(device, "missing the link type");
  const LinkScheme* scheme = nullptr;
  for (const LinkScheme& s : schemes_)
    if (device.compare(0, s.name.size() + 1, s.name + ":") == 0 &&
        (!scheme || s.name.size() > scheme->name.size()))
      scheme = &s;
  if (!scheme) bad(device, "unknown link type '" + device.substr(0, device.find(':')) + "'");
  if (!scheme->refusal.empty()) throw ConfigError("device '" + device + "': " + scheme->refusal);

  DeviceSpec spec;
  spec.scheme = scheme->name;
  std::string rest = device.substr(scheme->name.size() + 1);
  auto comma = scheme->takes_options ? rest.find(',') : std::string::npos;
  spec.target = rest.substr(0, comma);
  while (comma != std::string::npos) {
    auto next = rest.find(',', comma + 1);
    std::string opt =
        rest.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
    auto eq = opt.find('=');
    if (eq == std::string::npos)
      bad(device, "option '" + opt + "' needs a value" + scheme->comma_note);
    spec.options.push_back({opt.substr(0, eq), opt.substr(eq + 1)});
    comma = next;
  }
  if (spec.target.empty()) {
    if (scheme->empty_target.empty()) bad(device, "empty " + scheme->target_word);
    spec.target = scheme->empty_target;
  }
  try {
    if (scheme->canonical) {
      spec.text = scheme->canonical(spec);
    } else {
      if (!spec.options.empty())
        throw ConfigError("unknown option '" + spec.options.front().key + "'");
      spec.text = scheme->name + ":" + spec.target;
    }
  } catch (const ConfigError& e) {
    bad(device, e.what());
  }
  if (scheme->simulated_note) spec.simulated_note = scheme->simulated_note(spec);
  return spec;
}

std::unique_ptr<Link> LinkRegistry::open(const DeviceSpec& spec) const {
  const LinkScheme* scheme = find(spec.scheme);
  if (!scheme)
    throw ConfigError("device '" + spec.text + "': no link of type '" + spec.scheme +
                      "' in this program. Use " + usage());
  if (!scheme->refusal.empty()) throw ConfigError("device '" + spec.text + "': " + scheme->refusal);
  return scheme->open(spec);
}

void add_builtin_links(LinkRegistry& registry) {
  registry.add(ftdi_link_scheme());
  registry.add(broker_link_scheme());
}

LinkRegistry builtin_links() {
  LinkRegistry registry;
  add_builtin_links(registry);
  return registry;
}

}  // namespace maxq::transport
