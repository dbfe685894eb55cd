// Which device strings a process understands, and how their links are opened:
// a table of link schemes (ftdi:, broker:, and whatever plug-ins the caller
// adds) that the caller builds and owns. The provider keeps one in its
// context, the tool, the daemons and the tests build theirs; nothing here is
// global. The simulated chips (sim:, unix:, ftdi:model:) are plug-ins of
// simulated_links/ (maxq_simulated_links): a build without them refuses those
// schemes with the note its table carries.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "transport/device_spec.h"
#include "transport/link.h"

namespace maxq::transport {

struct LinkScheme {
  // What precedes the target and its ':'. May contain ':' itself
  // ("ftdi:model"): the longest registered name a device string starts with wins.
  std::string name;
  // The accepted form, for error messages ("broker:PATH (maxq1061d)"); empty
  // for a scheme not listed (a variant of another).
  std::string usage;
  // The target is followed by ,KEY=VALUE options (so it cannot contain a
  // comma); else the whole rest is the target (a socket path may hold commas).
  bool takes_options = true;
  std::string empty_target;          // what an empty target stands for; empty: refused
  std::string target_word = "path";  // "empty path", "empty description"
  std::string comma_note;            // added to option errors: why a comma cannot be in the target
  // Set for a simulated chip: says where its private keys really are (a file,
  // not a secure element); becomes DeviceSpec::simulated_note.
  std::function<std::string(const DeviceSpec&)> simulated_note;
  // Non-empty: the scheme is known but not in this build; opening or parsing
  // such a device string is a ConfigError with this text.
  std::string refusal;
  // Checks spec.options (throws ConfigError saying what is wrong; the
  // registry adds the device string and the accepted forms) and returns the
  // canonical device string. Unset: no options are accepted.
  std::function<std::string(const DeviceSpec&)> canonical;
  // Opens the link. Throws ConfigError or LinkError naming the device.
  std::function<std::unique_ptr<Link>(const DeviceSpec&)> open;
};

class LinkRegistry {
 public:
  // Adds `scheme`, replacing one of the same name.
  void add(LinkScheme scheme);
  // The scheme called `name`, or nullptr.
  const LinkScheme* find(const std::string& name) const;

  // Takes a device string apart and checks it against its scheme. Throws
  // ConfigError with the offending string and the accepted forms (or the
  // scheme's refusal).
  DeviceSpec parse(const std::string& device) const;
  // Opens the link for `spec` (from parse()). Throws ConfigError / LinkError
  // naming the device.
  std::unique_ptr<Link> open(const DeviceSpec& spec) const;
  std::unique_ptr<Link> open(const std::string& device) const { return open(parse(device)); }
  // "ftdi:DESC[...] (...), broker:PATH (maxq1061d) or ...": the accepted forms.
  std::string usage() const;

 private:
  [[noreturn]] void bad(const std::string& device, const std::string& why) const;
  std::vector<LinkScheme> schemes_;
};

// The links of the host side itself: ftdi: (libftdi1, loaded when first
// opened) and broker: (maxq1061d).
void add_builtin_links(LinkRegistry& registry);
LinkRegistry builtin_links();

}  // namespace maxq::transport
