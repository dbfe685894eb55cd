// maxq1061d's log: one line per event on stderr, which systemd's journal
// collects (with a syslog priority prefix when JOURNAL_STREAM says stderr is
// the journal). Never payload bytes: commands by name, clients by id, pid and
// uid.
#pragma once

#include <string>

namespace maxq::broker {

class Log {
 public:
  explicit Log(bool verbose);
  void error(const std::string& msg) const { write(3, msg); }
  void warning(const std::string& msg) const { write(4, msg); }
  void info(const std::string& msg) const { write(6, msg); }
  // Only with --verbose: every connection and command.
  void debug(const std::string& msg) const {
    if (verbose_) write(7, msg);
  }
  bool verbose() const { return verbose_; }

 private:
  void write(int priority, const std::string& msg) const;
  bool verbose_;
  bool journal_;
};

}  // namespace maxq::broker
