#pragma once
// ConsoleLog: <folder>/console.log, a copy of everything a run prints on its
// console: the lines it writes to stdout (handed over through line()) and
// the log lines (spdlog: warnings, info, the retries of the LLM client), so
// a run's console survives the terminal it ran in. The file is appended to;
// each session starts with a separator line naming it:
//   ===== started 2024-06-01 12:00:00 UTC (bigpe run) =====
//   ===== resumed 2024-06-01 12:05:00 UTC (bigpe resume) =====
// ("resumed" when the file already holds an earlier session).
//
// Scope: a kProcess log receives the log lines of every thread (a run's, a
// campaign's own); a kThread log only those logged on the thread that made
// it (a campaign's experiment, whose helper threads' lines reach the
// campaign's log only).
//
// Thread-safety: line() may be called from any thread; make and destroy a
// kThread log on the thread it belongs to. The first log made installs one
// spdlog sink on the default logger: make it before other threads log.
#include <fstream>
#include <mutex>
#include <string>

namespace bigpe::engine {

class ConsoleLog {
 public:
  enum class Scope { kProcess, kThread };

  // Throws std::runtime_error naming the file when it cannot be opened.
  ConsoleLog(const std::string& folder, const std::string& command, Scope scope);
  ~ConsoleLog();
  ConsoleLog(const ConsoleLog&) = delete;
  ConsoleLog& operator=(const ConsoleLog&) = delete;

  // Appends one line (without its "\n") and flushes, so a killed run keeps
  // everything it printed.
  void line(const std::string& text);

 private:
  Scope scope_;
  std::mutex mu_;
  std::ofstream file_;
};

}  // namespace bigpe::engine
