#include "common/child_process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <thread>

extern char** environ;

namespace bigpe {

namespace {

int open_output(const std::string& path, const std::string& program) {
  const char* p = path.empty() ? "/dev/null" : path.c_str();
  int fd = ::open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw ChildProcessError("cannot start '" + program + "': cannot open output file '" + p +
                            "': " + std::strerror(errno));
  return fd;
}

// Our environment with `additions` applied, as "NAME=value" strings.
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& additions) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    if (additions.count(name) == 0) out.push_back(entry);
  }
  for (const auto& [name, value] : additions) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode_status(int raw) {
  if (WIFEXITED(raw)) return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) return 128 + WTERMSIG(raw);
  return -1;
}

}  // namespace

std::string describe_command(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

ChildProcess::ChildProcess(ChildProcessOptions options) : options_(std::move(options)) {
  if (options_.argv.empty()) throw ChildProcessError("cannot start a child: empty argv");
  const std::string& program = options_.argv[0];

  // Everything the child needs is prepared before fork: after fork in a
  // multi-threaded parent only async-signal-safe calls are allowed.
  std::vector<std::string> argv_copy = options_.argv;
  std::vector<std::string> env = merged_environment(options_.env);
  std::vector<char*> argv_ptrs = pointers(argv_copy);
  std::vector<char*> env_ptrs = pointers(env);
  int out_fd = open_output(options_.stdout_path, program);
  int err_fd = -1;
  int null_fd = -1;
  try {
    err_fd = open_output(options_.stderr_path, program);
    null_fd = open_output("", program);
  } catch (...) {
    ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    throw;
  }
  // The child writes errno here if exec fails; on success CLOEXEC closes it
  // and the parent reads EOF.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    ::close(out_fd);
    ::close(err_fd);
    ::close(null_fd);
    throw ChildProcessError("cannot start '" + program + "': pipe: " + std::strerror(errno));
  }
  pid_t parent = ::getpid();
  const char* workdir = options_.working_dir.empty() ? nullptr : options_.working_dir.c_str();
  const bool own_group = options_.own_process_group;

  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died between fork and prctl.
    if (::getppid() != parent) ::_exit(127);
    // Start with default signal dispositions and an empty mask.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    if (own_group) ::setpgid(0, 0);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    int err = 0;
    if (workdir && ::chdir(workdir) != 0) {
      err = errno;
    } else {
      ::execvpe(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
      err = errno;
    }
    ssize_t ignored = ::write(report[1], &err, sizeof err);
    (void)ignored;
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(report[1]);
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  if (pid < 0) {
    ::close(report[0]);
    throw ChildProcessError("cannot start '" + program + "': fork: " + std::strerror(fork_errno));
  }
  pid_ = pid;
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n > 0) {
    reap(true);
    throw ChildProcessError("cannot start '" + program + "'" +
                            (workdir ? " in '" + options_.working_dir + "'" : std::string()) +
                            ": " + std::strerror(child_errno));
  }
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) kill();
}

bool ChildProcess::reap(bool block) {
  if (status_) return true;
  int raw = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &raw, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = decode_status(raw);
    return true;
  }
  if (r < 0) {
    // ECHILD: someone else reaped it (e.g. SIGCHLD set to SIG_IGN).
    status_ = -1;
    return true;
  }
  return false;
}

bool ChildProcess::running() { return !reap(false); }

void ChildProcess::send_signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  // Polls with a growing pause: exits are usually seen within a few ms
  // without spending CPU on long waits.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  while (!reap(false)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    std::this_thread::sleep_for(std::min(pause, left));
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return status_;
}

int ChildProcess::terminate(std::chrono::milliseconds grace) {
  send_signal(SIGTERM);
  if (auto s = wait(grace)) return *s;
  return kill();
}

int ChildProcess::kill() {
  if (!status_) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  return *status_;
}

}  // namespace bigpe
