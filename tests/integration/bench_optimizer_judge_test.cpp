// `bigpe bench optimizer --judge-rho`: a bad value is refused naming the
// flag; a small run prints the judge table and ends with the judge's ratio
// line; the table of the optimized scorer is the same as without the judge.
#include <gtest/gtest.h>

#include "tests/support/bigpe_invocation.h"

namespace bigpe::testing {
namespace {

const std::vector<std::string> kSmall = {"bench",     "optimizer", "--tastes",  "0..0",          "--repeats", "1",
                                         "--budgets", "270",       "--configs", "greedy,paper", "--threads", "1"};

std::string log_path(const std::string& name) { return ::testing::TempDir() + "/bench_judge_" + name + ".log"; }

TEST(BenchOptimizerJudge, RefusesRhoOutsideMinusOneToOne) {
  std::vector<std::string> args = kSmall;
  args.insert(args.end(), {"--judge-rho", "1.5"});
  const Invocation r = run_bigpe(args, log_path("bad"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--judge-rho"), std::string::npos) << r.output;
}

TEST(BenchOptimizerJudge, PrintsTheJudgeTableAndEndsWithItsRatio) {
  const Invocation plain = run_bigpe(kSmall, log_path("plain"));
  std::vector<std::string> args = kSmall;
  args.insert(args.end(), {"--judge-rho", "0.5"});
  const Invocation judged = run_bigpe(args, log_path("judged"));
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  ASSERT_EQ(judged.exit_code, 0) << judged.output;
  EXPECT_NE(judged.output.find("on judge [95% CI]"), std::string::npos) << judged.output;
  EXPECT_EQ(plain.output.find("on judge"), std::string::npos) << plain.output;
  // The last line is ratio=<number>.
  const std::string body = judged.output.substr(0, judged.output.size() - 1);
  const std::string last = body.substr(body.rfind('\n') + 1);
  EXPECT_EQ(last.rfind("ratio=", 0), 0u) << judged.output;
  EXPECT_NE(last, "ratio=nan") << judged.output;
  // The optimized scorer's rows (between the header and the legend) agree.
  auto rows = [](const std::string& out) {
    const std::size_t from = out.find("config ");
    return out.substr(from, out.find("arms:") - from);
  };
  EXPECT_EQ(rows(judged.output), rows(plain.output));
}

}  // namespace
}  // namespace bigpe::testing
