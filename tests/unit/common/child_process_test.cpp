#include "common/child_process.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/free_port.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using namespace std::chrono_literals;
using bigpe::testing::TempDir;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Polls `done` until it holds or the deadline passes.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// Gone or a zombie (a zombie reparented to a non-reaping init counts as dead).
bool process_dead(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  std::size_t close = stat.rfind(')');
  return stat.empty() || (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
}

TEST(ChildProcess, ReportsExitCode) {
  ChildProcess child({{"sh", "-c", "exit 3"}});
  EXPECT_EQ(child.wait(10s), std::optional<int>(3));
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_status(), std::optional<int>(3));
}

TEST(ChildProcess, RedirectsOutputAndAddsEnvironment) {
  TempDir dir("child");
  ChildProcessOptions o;
  o.argv = {"sh", "-c", "echo \"$BIGPE_TEST_VAR\"; echo oops >&2; pwd"};
  o.env["BIGPE_TEST_VAR"] = "hello";
  o.stdout_path = dir.file("out.txt");
  o.stderr_path = dir.file("err.txt");
  o.working_dir = dir.path();
  ChildProcess child(o);
  ASSERT_EQ(child.wait(10s), std::optional<int>(0));
  EXPECT_EQ(read_file(dir.file("out.txt")), "hello\n" + dir.path() + "\n");
  EXPECT_EQ(read_file(dir.file("err.txt")), "oops\n");
}

TEST(ChildProcess, MissingProgramThrowsNamingIt) {
  try {
    ChildProcess child({{"/nonexistent/bigpe-no-such-program"}});
    FAIL() << "expected ChildProcessError";
  } catch (const ChildProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/bigpe-no-such-program"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
  }
}

TEST(ChildProcess, UnwritableOutputFileThrowsNamingIt) {
  ChildProcessOptions o;
  o.argv = {"true"};
  o.stdout_path = "/nonexistent-dir/out.txt";
  try {
    ChildProcess child(o);
    FAIL() << "expected ChildProcessError";
  } catch (const ChildProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/out.txt"), std::string::npos) << e.what();
  }
}

TEST(ChildProcess, WaitReturnsNothingWhileRunningThenKillReportsSignal) {
  ChildProcess child({{"sleep", "30"}});
  EXPECT_TRUE(child.running());
  EXPECT_EQ(child.wait(1ms), std::nullopt);
  EXPECT_EQ(child.kill(), 128 + SIGKILL);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, TerminateStopsAPoliteChildWithSigterm) {
  ChildProcess child({{"sleep", "30"}});
  EXPECT_EQ(child.terminate(10s), 128 + SIGTERM);
}

TEST(ChildProcess, TerminateEscalatesToSigkill) {
  TempDir dir("child");
  ChildProcessOptions o;
  // Ignores SIGTERM, and says so once the trap is in place.
  o.argv = {"sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"};
  o.stdout_path = dir.file("out.txt");
  ChildProcess child(o);
  ASSERT_TRUE(eventually([&] { return read_file(dir.file("out.txt")) == "ready\n"; }));
  EXPECT_EQ(child.terminate(50ms), 128 + SIGKILL);
}

TEST(ChildProcess, SendSignalReachesTheChild) {
  ChildProcess child({{"sleep", "30"}});
  child.send_signal(SIGINT);
  EXPECT_EQ(child.wait(10s), std::optional<int>(128 + SIGINT));
  child.send_signal(SIGINT);  // after exit: a no-op, not an error
}

TEST(ChildProcess, DestructorKillsAndReaps) {
  pid_t pid;
  {
    ChildProcess child({{"sleep", "30"}});
    pid = child.pid();
    ASSERT_TRUE(child.running());
  }
  // Reaped by the destructor: no such process any more (not even a zombie).
  EXPECT_NE(::kill(pid, 0), 0);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ChildProcess, ChildDiesWhenParentDiesWithoutCleanup) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t middle = ::fork();
  ASSERT_GE(middle, 0);
  if (middle == 0) {
    // A parent that crashes: starts a child, then exits without destructors.
    ::close(fds[0]);
    try {
      auto* child = new ChildProcess({{"sleep", "30"}});
      pid_t p = child->pid();
      if (::write(fds[1], &p, sizeof p) != sizeof p) ::_exit(2);
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  pid_t grandchild = 0;
  ASSERT_EQ(::read(fds[0], &grandchild, sizeof grandchild), static_cast<ssize_t>(sizeof grandchild));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(middle, &status, 0), middle);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_TRUE(eventually([&] { return process_dead(grandchild); })) << "pid " << grandchild << " outlived its parent";
}

TEST(ChildProcess, DescribeCommandJoinsArguments) {
  EXPECT_EQ(describe_command({"redis-server", "/tmp/x.conf"}), "redis-server /tmp/x.conf");
}

TEST(FreePort, ReturnsABindableLoopbackPort) {
  int port = free_loopback_port();
  EXPECT_GT(port, 0);
  EXPECT_LE(port, 65535);
}

}  // namespace
}  // namespace bigpe
