// A run's console is saved in <run folder>/console.log through the real
// executable: a run killed mid-way and resumed leaves one file holding both
// sessions, each opened by a separator line that names it, with every line
// the process printed (progress lines, log lines, the result table).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;

// `bigpe --log-level info ...`, so log lines reach the console too.
Invocation run_bigpe_info(const std::vector<std::string>& args, const std::string& log,
                          const std::map<std::string, std::string>& env = {}) {
  ChildProcessOptions o = testing::bigpe_options(args, log, env);
  o.argv[2] = "info";
  return testing::run_child(o);
}

std::vector<std::string> printed_lines(const std::string& output) {
  std::vector<std::string> lines;
  std::string line;
  for (char c : output) {
    if (c != '\n') {
      line += c;
      continue;
    }
    if (!line.empty()) lines.push_back(line);
    line.clear();
  }
  return lines;
}

// Index of the first line of `log` at or after `from` equal to `line`, or -1.
long find_line(const std::vector<std::string>& log, const std::string& line, std::size_t from) {
  for (std::size_t i = from; i < log.size(); ++i)
    if (log[i] == line) return static_cast<long>(i);
  return -1;
}

TEST(ConsoleLog, RunAndResumeKeepEveryPrintedLineInOneFileWithASeparatorPerSession) {
  testing::TempDir dir("bigpe-console-log");
  const std::string run = dir.file("run");
  const std::vector<std::string> args = {"run", "experiments/quickstart.yaml", "out=" + run, "iterations=3",
                                         "batch_size=2", "sim.cost_ms=0", "eval.seeds=2", "write_images=false"};
  Invocation killed = run_bigpe_info(args, dir.file("first.log"), {{"BIGPE_FAULT_KILL_AT", "iter:2:rendered"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.output;
  Invocation resumed = run_bigpe_info({"resume", run}, dir.file("second.log"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;

  const std::vector<std::string> log = testing::read_lines(run + "/console.log");
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log[0].rfind("===== started ", 0), 0u) << log[0];
  EXPECT_NE(log[0].find(" UTC (bigpe run) ====="), std::string::npos) << log[0];
  long separator = -1;
  for (std::size_t i = 1; i < log.size(); ++i)
    if (log[i].rfind("===== resumed ", 0) == 0) separator = static_cast<long>(i);
  ASSERT_GT(separator, 0) << testing::read_text_file(run + "/console.log");
  EXPECT_NE(log[static_cast<std::size_t>(separator)].find(" UTC (bigpe resume) ====="), std::string::npos);

  // Every line each process printed is in its own session, in order.
  std::size_t at = 1;
  for (const std::string& line : printed_lines(killed.output)) {
    long i = find_line(log, line, at);
    ASSERT_GE(i, 0) << "first session's line missing from console.log: " << line;
    ASSERT_LT(i, separator) << line;
    at = static_cast<std::size_t>(i) + 1;
  }
  at = static_cast<std::size_t>(separator) + 1;
  for (const std::string& line : printed_lines(resumed.output)) {
    long i = find_line(log, line, at);
    ASSERT_GE(i, 0) << "resumed session's line missing from console.log: " << line;
    at = static_cast<std::size_t>(i) + 1;
  }
  // What the sessions printed: progress lines, log lines, the result table.
  const std::string text = testing::read_text_file(run + "/console.log");
  EXPECT_NE(text.find("\niter 1/3 "), std::string::npos) << text;
  EXPECT_NE(text.find("\niter 3/3 "), std::string::npos) << text;
  EXPECT_NE(text.find(" info [bigpe] experiment "), std::string::npos) << text;
  EXPECT_NE(text.find("\ngain over I0 (paired) "), std::string::npos) << text;
}

}  // namespace
}  // namespace bigpe
