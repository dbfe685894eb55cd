#include "bench/child_cpu.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace maxq::bench {
namespace {

// environ with the overrides applied (the strings live in `storage`).
std::vector<char*> child_environment(const std::vector<std::string>& overrides,
                                     std::vector<std::string>& storage) {
  auto name_of = [](const std::string& s) { return s.substr(0, s.find('=')); };
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry = *e;
    bool replaced = false;
    for (const std::string& o : overrides) replaced = replaced || name_of(o) == name_of(entry);
    if (!replaced) storage.push_back(entry);
  }
  for (const std::string& o : overrides)
    if (o.find('=') != std::string::npos) storage.push_back(o);
  std::vector<char*> out;
  for (std::string& s : storage) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

class SpawnActions {
 public:
  SpawnActions() { posix_spawn_file_actions_init(&actions_); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

}  // namespace

namespace {

pid_t spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env_overrides,
            const std::string& stdin_path, const std::string& output_path) {
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::vector<std::string> env_storage;
  std::vector<char*> envp = child_environment(env_overrides, env_storage);

  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), 1, output_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(actions.get(), 1, 2);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, cargv[0], actions.get(), nullptr, cargv.data(), envp.data());
  if (rc != 0) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

ChildRun run_child(const std::vector<std::string>& argv,
                   const std::vector<std::string>& env_overrides, const std::string& stdin_path,
                   const std::string& output_path) {
  pid_t pid = spawn(argv, env_overrides, stdin_path, output_path);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0)
    if (errno != EINTR) throw std::runtime_error("wait4: " + std::string(std::strerror(errno)));
  ChildRun run;
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec / 1e3; };
  run.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  return run;
}

int start_child(const std::vector<std::string>& argv, const std::vector<std::string>& env_overrides,
                const std::string& output_path) {
  return spawn(argv, env_overrides, "/dev/null", output_path);
}

void stop_child(int pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void run_setup(const std::string& command_line) {
  std::string line = command_line + " 2>&1";
  FILE* p = popen(line.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run: " + command_line);
  std::string output;
  char buf[512];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  int status = pclose(p);
  if (status != 0) throw std::runtime_error("setup step failed: " + command_line + "\n" + output);
}

}  // namespace maxq::bench
