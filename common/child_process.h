#pragma once
// ChildProcess: one child program started with fork/exec, owned by this
// object. Used to run redis-server and `bigpe` subprocesses in tests and in
// the embedded mode. The destructor kills (SIGKILL) and reaps the child, so a
// ChildProcess never leaks a process or a zombie. The child also gets
// PR_SET_PDEATHSIG(SIGKILL): if the parent dies without running destructors,
// the kernel kills the child. Note that Linux fires PDEATHSIG when the
// *thread* that forked exits, so spawn long-lived children from a thread that
// lives as long as they should.
//
// Not thread-safe: one ChildProcess is driven by one thread at a time.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace bigpe {

class ChildProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ChildProcessOptions {
  std::vector<std::string> argv;  // argv[0] is searched on PATH
  std::map<std::string, std::string> env;  // added to (or replacing) ours
  std::string stdout_path;  // appended to; empty = /dev/null
  std::string stderr_path;  // appended to; empty = /dev/null
  std::string working_dir;  // empty = ours
  // In a process group of its own, so a signal to ours (Ctrl-C in a
  // terminal, a supervisor stopping the job) does not reach it: its owner
  // stops it in order, after what depends on it.
  bool own_process_group = false;
};

class ChildProcess {
 public:
  // Starts the child. Throws ChildProcessError naming the program when the
  // output files cannot be opened or the program cannot be executed.
  explicit ChildProcess(ChildProcessOptions options);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const ChildProcessOptions& options() const { return options_; }

  // True until the child has exited (reaps it when it has).
  bool running();
  // Sends `sig` if the child is still running; no-op otherwise.
  void send_signal(int sig);
  // Waits up to `timeout` for the child to exit. Returns its status (see
  // exit_status()) or nullopt if it is still running at the deadline.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL if it has not exited after `grace`; reaps it and
  // returns its status.
  int terminate(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // SIGKILL and reap; returns the status.
  int kill();

  // Shell convention: the exit code, or 128 + signal number when the child
  // was killed by a signal. nullopt while it runs.
  std::optional<int> exit_status() const { return status_; }

 private:
  bool reap(bool block);
  ChildProcessOptions options_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// "prog arg1 arg2": for log lines and error messages.
std::string describe_command(const std::vector<std::string>& argv);

}  // namespace bigpe
