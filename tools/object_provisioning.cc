#include "tools/object_provisioning.h"

#include <signal.h>

#include <optional>

namespace maxq::tool {
namespace {

// Holds off Ctrl-C, SIGTERM, SIGHUP and SIGQUIT while an object is created
// and filled: a signal that arrives then takes effect once the object is
// complete or deleted again, so it cannot leave an empty object that blocks
// its id. (SIGKILL cannot be held off: then the next attempt's error says
// what to delete.)
class DeferTerminationSignals {
 public:
  DeferTerminationSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~DeferTerminationSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  DeferTerminationSignals(const DeferTerminationSignals&) = delete;
  DeferTerminationSignals& operator=(const DeferTerminationSignals&) = delete;

 private:
  sigset_t old_;
};

// Quoted for a POSIX shell when it holds anything but safe characters.
std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-.,:/=+@%") == std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string delete_command_line(const ToolContext& ctx, uint16_t id) {
  return "maxq1061-tool --device " + shell_word(ctx.device_string()) + " delete --id " +
         format_id(id);
}

void create_and_fill(ToolContext& ctx, const std::string& what, const transport::ObjectSpec& spec,
                     const std::function<void()>& fill) {
  transport::Device& dev = ctx.device();
  std::string cleanup;  // what became of the half-made object, when fill failed
  DeferTerminationSignals defer;
  try {
    ctx.as_admin(what, [&] {
      dev.create_object(spec);
      try {
        fill();
      } catch (...) {
        try {
          dev.delete_object(spec.id);
          cleanup = "The half-made object " + format_id(spec.id) + " was deleted again.";
        } catch (const std::exception& d) {
          cleanup = "The half-made object " + format_id(spec.id) +
                    " is still on the chip (deleting it failed too: " + d.what() +
                    "); remove it with: " + delete_command_line(ctx, spec.id);
        }
        throw;
      }
    });
  } catch (const transport::ChipError& e) {
    if (!cleanup.empty()) throw ToolError(exit_code_for(e), std::string(e.what()) + "\n" + cleanup);
    // The id is taken: by an empty object a killed run left behind, say so.
    std::optional<transport::ObjectInfo> info;
    try {
      info = dev.object_info(spec.id);
    } catch (const std::exception&) {
    }
    if (!info || info->initialised) throw;
    throw ToolError(exit_code_for(e),
                    std::string(e.what()) + "\nObject " + format_id(spec.id) +
                        " exists but is empty (a half-made object, e.g. of a run that was "
                        "killed); remove it with: " +
                        delete_command_line(ctx, spec.id));
  } catch (const std::exception& e) {
    if (cleanup.empty()) throw;  // failed before the object existed, or after it was complete
    throw ToolError(exit_code_for(e), std::string(e.what()) + "\n" + cleanup);
  }
}

}  // namespace maxq::tool
