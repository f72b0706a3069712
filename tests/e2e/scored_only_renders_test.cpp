// A scorer added to a finished run's service renders nothing again
// (schemas/README.md sections 6 and 7.3), and the scheduler says so:
// `bigpe eval RUN score.scorers=sim,sim-judge` after a one-scorer run
// reports its cells as scored only, not as renders done, while the
// workers' own render count (bigpe:stats:renders) stays where the run left
// it. Asked again, every cell is cached. A run over stored renders with a
// new scorer counts them the same way in its state and everything shown
// from it.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <tuple>

#include "common/json_strict.h"
#include "common/redis/redis_client.h"
#include "common/redis/redis_server.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/csv_reader.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::read_text_file;
using testing::run_bigpe;

// The sum of bigpe:stats:renders over the workers, from the run folder's
// own Redis (nobody else holds the folder between the commands).
long long worker_renders(const std::string& run) {
  RedisServer server(RedisServerOptions{run + "/redis"});
  RedisClient redis(server.options());
  long long total = 0;
  for (const RedisReply& v : redis.command({"HVALS", "bigpe:stats:renders"}).elements) total += std::stoll(v.str);
  return total;
}

// The distinct renders behind an evaluation's cells.csv: a prompt, its
// query and seed (cells that share them are one render).
std::size_t distinct_renders(const std::string& cells_csv) {
  const std::vector<std::vector<std::string>> rows = testing::parse_csv(read_text_file(cells_csv));
  EXPECT_GT(rows.size(), 1u);
  EXPECT_EQ(rows.at(0), (std::vector<std::string>{"method", "query", "seed", "score", "prompt", "image"}));
  std::set<std::tuple<std::string, std::string, std::string>> renders;
  for (std::size_t i = 1; i < rows.size(); ++i) renders.insert({rows[i].at(1), rows[i].at(2), rows[i].at(4)});
  return renders.size();
}

// The "renders: ..." line of an output, up to its ';'.
std::string renders_line(const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex("\nrenders: ([^;\n]*);"))) return "(no renders line in:\n" + output + ")";
  return m[1];
}

TEST(ScoredOnlyRenders, ANewScorerOverAFinishedRunScoresItsImagesWithoutRendering) {
  testing::TempDir dir("bigpe-scored-only");
  const std::string run = dir.file("run");
  Invocation r = run_bigpe({"run", "experiments/quickstart.yaml", "out=" + run, "iterations=1", "batch_size=2",
                            "sim.cost_ms=0", "eval.seeds=2", "write_images=false"},
                           dir.file("run.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // A run that scored nothing apart reads as it always did.
  EXPECT_TRUE(std::regex_match(renders_line(r.output), std::regex("[0-9]+ done, 0 cached"))) << r.output;
  const long long rendered = worker_renders(run);
  ASSERT_GT(rendered, 0);

  const std::vector<std::string> eval = {"eval", run, "score.scorers=sim,sim-judge", "score.judges=sim-judge"};
  Invocation e = run_bigpe(eval, dir.file("eval.log"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  std::smatch tables;
  ASSERT_TRUE(std::regex_search(e.output, tables, std::regex("tables: (\\S+)/methods\\.csv"))) << e.output;
  const std::size_t cells = distinct_renders(tables[1].str() + "/cells.csv");
  // 20 held-out queries x 2 seeds x 4 methods, less any prompts two methods share.
  EXPECT_GT(cells, 40u);
  EXPECT_LE(cells, 160u);
  EXPECT_EQ(renders_line(e.output), "0 done, 0 cached, " + std::to_string(cells) + " scored only");
  EXPECT_EQ(worker_renders(run), rendered) << "the workers rendered nothing";

  Invocation again = run_bigpe(eval, dir.file("again.log"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(renders_line(again.output), "0 done, " + std::to_string(cells) + " cached");
  EXPECT_EQ(worker_renders(run), rendered);
}

// A run with a second scorer over the Redis of a one-scorer run of the same
// task: the same prompts and seeds, so every render it asks for is stored
// and only scored. Its state, report, `bigpe ls` and `bigpe status` say so.
TEST(ScoredOnlyRenders, ARunWithANewScorerOverStoredRendersCountsThemScoredOnly) {
  testing::TempDir dir("bigpe-scored-only-run");
  RedisServer server(RedisServerOptions{dir.file("redis")});
  auto run_args = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"run",          "experiments/quickstart.yaml", "out=" + out,
                                     "redis=" + server.url(), "iterations=2", "batch_size=2", "sim.cost_ms=0",
                                     "eval.seeds=2", "write_images=false"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  Invocation first = run_bigpe(run_args(dir.file("one"), {}), dir.file("one.log"));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const std::string first_line = renders_line(first.output);
  std::smatch done;
  ASSERT_TRUE(std::regex_match(first_line, done, std::regex("([0-9]+) done, 0 cached"))) << first.output;
  const std::string n = done[1];

  const std::string two = dir.file("two");
  Invocation second =
      run_bigpe(run_args(two, {"score.scorers=sim,sim-judge", "score.judges=sim-judge"}), dir.file("two.log"));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_EQ(renders_line(second.output), "0 done, 0 cached, " + n + " scored only");
  const nlohmann::ordered_json renders = json::parse_strict(read_text_file(two + "/report.json")).at("renders");
  EXPECT_EQ(renders.at("done").get<long>(), 0);
  EXPECT_EQ(std::to_string(renders.at("scored").get<long>()), n);
  EXPECT_NE(read_text_file(two + "/report.md").find("- renders: 0 done, 0 cached, " + n + " scored only\n"),
            std::string::npos);

  Invocation ls = run_bigpe({"ls", two}, dir.file("ls.log"));
  ASSERT_EQ(ls.exit_code, 0) << ls.output;
  EXPECT_TRUE(std::regex_search(ls.output, std::regex("cached +scored only +gain over I0"))) << ls.output;
  EXPECT_TRUE(std::regex_search(ls.output, std::regex(" 0 +0 +" + n + " +[-+]"))) << ls.output;
  Invocation status = run_bigpe({"status", two}, dir.file("status.log"));
  ASSERT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("renders 0 done, 0 cached, " + n + " scored only"), std::string::npos)
      << status.output;
}

}  // namespace
}  // namespace bigpe
