// Runs a program as a child process and measures its whole CPU time (user +
// system, from wait4's rusage): the dynamic loader, library constructors,
// configuration loading and the work itself, as a shell user would pay it.
#pragma once

#include <string>
#include <vector>

namespace maxq::bench {

struct ChildRun {
  int exit_status = -1;  // the child's exit code; -1 when it did not exit normally
  double cpu_ms = 0;     // user + system time of the child
};

// Runs argv[0] (looked up in PATH) with `env_overrides` ("NAME=value", or
// "NAME" to unset) applied to this process's environment; stdin from
// `stdin_path`, stdout and stderr to `output_path` (both may be /dev/null).
ChildRun run_child(const std::vector<std::string>& argv,
                   const std::vector<std::string>& env_overrides,
                   const std::string& stdin_path = "/dev/null",
                   const std::string& output_path = "/dev/null");

// Starts a child as run_child does and returns its pid without waiting (a
// server the measured clients talk to); stop it with stop_child.
int start_child(const std::vector<std::string>& argv, const std::vector<std::string>& env_overrides,
                const std::string& output_path);
void stop_child(int pid);

// Runs a shell command line for setting up (not measured): throws
// std::runtime_error with the command and its output when it fails.
void run_setup(const std::string& command_line);

}  // namespace maxq::bench
