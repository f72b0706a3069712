// `bigpe ls` and `bigpe diff` through the real executable over real run and
// campaign folders: a finished run, a killed one, a campaign, a folder that
// never recorded its experiment and a running run that is then stopped;
// diff of two finished runs, of a run with itself, and its refusals.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "common/child_process.h"
#include "common/json_access.h"
#include "common/json_strict.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::read_text_file;
using testing::run_bigpe;

std::vector<std::string> small_run(const std::string& out, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"run", "experiments/quickstart.yaml", "out=" + out, "iterations=2",
                                   "batch_size=2", "sim.cost_ms=0", "eval.seeds=2", "write_images=false"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::string id_of(const std::string& folder, const char* file = "run.json", const char* key = "experiment_id") {
  return json::require_string(json::parse_strict(read_text_file(folder + "/" + file)), key);
}

// The line of `listing` that starts with `id` followed by spaces.
std::string row_of(const std::string& listing, const std::string& id) {
  std::size_t at = listing.find("\n" + id + " ");
  if (at == std::string::npos) return "";
  return listing.substr(at + 1, listing.find('\n', at + 1) - at - 1);
}

std::string signed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.3f", v);
  return buf;
}

// "+0.123 [-0.100, +0.300]": a run's gain over I0 as its report.json has it.
std::string reported_gain(const std::string& run) {
  const nlohmann::ordered_json g =
      json::parse_strict(read_text_file(run + "/report.json")).at("eval").at("gain_over_baseline");
  return signed3(g.at("mean").get<double>()) + " [" + signed3(g.at("ci_low").get<double>()) + ", " +
         signed3(g.at("ci_high").get<double>()) + "]";
}

TEST(Ls, ListsEveryRunAndCampaignWithKindStatusProgressRendersAndGain) {
  testing::TempDir dir("bigpe-ls");
  const std::string runs = dir.file("runs");
  std::filesystem::create_directories(runs + "/notes");  // not a run: left out
  const std::string done = runs + "/done", killed = runs + "/killed", campaign = runs + "/camp";
  ASSERT_EQ(run_bigpe(small_run(done), dir.file("done.log")).exit_code, 0);
  Invocation k = run_bigpe(small_run(killed, {"iterations=3"}), dir.file("killed.log"),
                           {{"BIGPE_FAULT_KILL_AT", "iter:2:rendered"}});
  ASSERT_EQ(k.exit_code, 128 + 9) << k.output;
  const std::string file = testing::write_small_campaign(dir.path(), "repeats: 2\ntaste_from_repeat: true\n");
  Invocation c = run_bigpe({"campaign", file, "--out", campaign}, dir.file("campaign.log"));
  ASSERT_EQ(c.exit_code, 0) << c.output;
  // A run folder whose experiment never got recorded (no data).
  nlohmann::ordered_json never = json::parse_strict(read_text_file(done + "/run.json"));
  never["experiment_id"] = "never-1";
  std::filesystem::create_directories(runs + "/never");
  std::ofstream(runs + "/never/run.json") << json::dump_strict(never);

  Invocation ls = run_bigpe({"ls", runs}, dir.file("ls.log"));
  ASSERT_EQ(ls.exit_code, 0) << ls.output;
  const std::string out = "\n" + ls.output;
  EXPECT_EQ(ls.output.rfind("id ", 0), 0u) << ls.output;

  const std::string done_row = row_of(out, id_of(done));
  EXPECT_TRUE(std::regex_search(done_row, std::regex(R"(^\S+ +run +finished +2/2 it \+eval +[1-9][0-9]* +[0-9]+ )")))
      << ls.output;
  EXPECT_NE(done_row.find(reported_gain(done)), std::string::npos) << ls.output;

  const std::string killed_row = row_of(out, id_of(killed));
  EXPECT_TRUE(std::regex_search(killed_row, std::regex(R"( run +killed, resumable +1/3 it +[1-9][0-9]* +[0-9]+ +-$)")))
      << ls.output;
  EXPECT_NE(out.find("\n" + id_of(killed) + ": its process died; resume: bigpe resume " + killed + "\n"),
            std::string::npos)
      << ls.output;

  const std::string campaign_id = id_of(campaign, "campaign.json", "campaign_id");
  EXPECT_TRUE(std::regex_search(row_of(out, campaign_id), std::regex(R"( campaign +finished +4/4 experiments +[1-9])")))
      << ls.output;
  // One row per variant, its gain as the campaign's tables print it (two
  // repeats: a marked t-interval).
  for (const char* v : {"ucb", "greedy"})
    EXPECT_TRUE(std::regex_search(
        out, std::regex(std::string(R"(\n  )") + v + R"( +variant +2/2 repeats +[+-][0-9]+\.[0-9]{2} \[[+-][0-9.]+, [+-][0-9.]+\]\*\n)")))
        << ls.output;
  // Members are listed under their campaign, not on their own.
  EXPECT_EQ(out.find("\n" + campaign_id + ".ucb.r0"), std::string::npos) << ls.output;

  EXPECT_TRUE(std::regex_search(row_of(out, "never-1"), std::regex(R"(^never-1 +run +failed )"))) << ls.output;
  EXPECT_NE(out.find("\nnever-1: no data: it stopped before its Redis started (see " + runs + "/never/console.log)"),
            std::string::npos)
      << ls.output;
  EXPECT_EQ(out.find("notes"), std::string::npos) << ls.output;

  // One folder alone; a folder that is not there.
  Invocation one = run_bigpe({"ls", killed}, dir.file("one.log"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  EXPECT_NE(one.output.find(id_of(killed)), std::string::npos) << one.output;
  EXPECT_EQ(one.output.find(id_of(done)), std::string::npos) << one.output;
  Invocation missing = run_bigpe({"ls", dir.file("nowhere")}, dir.file("missing.log"));
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("nowhere: no such folder"), std::string::npos) << missing.output;
}

// A budget run plans far more iterations than it reaches; its progress is
// the renders it spent of its budget.
TEST(Ls, ABudgetRunsProgressIsItsRendersOfTheBudget) {
  testing::TempDir dir("bigpe-ls-budget");
  const std::string run = dir.file("runs/b");
  ASSERT_EQ(run_bigpe(small_run(run, {"loop=budget", "selector.kind=greedy", "budget.renders=60", "iterations=100000"}),
                      dir.file("run.log"))
                .exit_code,
            0);
  Invocation ls = run_bigpe({"ls", dir.file("runs")}, dir.file("ls.log"));
  ASSERT_EQ(ls.exit_code, 0) << ls.output;
  const nlohmann::ordered_json state = json::parse_strict(read_text_file(run + "/report.json"));
  const std::string row = row_of(ls.output, id_of(run));
  EXPECT_NE(row.find(" 60/60 renders, " + std::to_string(state.at("iterations").get<int64_t>()) + " it +eval"),
            std::string::npos)
      << ls.output;
  EXPECT_EQ(row.find("/100000 it"), std::string::npos) << ls.output;
}

TEST(Ls, ShowsARunningRunFromItsLockThenItsStop) {
  testing::TempDir dir("bigpe-ls-running");
  const std::string run = dir.file("runs/long");
  ChildProcess child(testing::bigpe_options(
      {"run", "experiments/quickstart.yaml", "out=" + run, "iterations=100000", "batch_size=1", "sim.cost_ms=2",
       "write_images=false"},
      dir.file("run.log")));
  // Bounded polling: each ls is a complete process run; stop at the first
  // one that shows the run running with an iteration done.
  const std::regex running(R"( run +running +[1-9][0-9]*/100000 it )");
  std::string shown;
  bool seen = false;
  for (int attempt = 0; attempt < 3000 && !seen && child.running(); ++attempt) {
    Invocation ls = run_bigpe({"ls", dir.file("runs")}, dir.file("ls.log"), {}, std::chrono::seconds(60));
    std::remove(dir.file("ls.log").c_str());
    shown = ls.output;
    seen = ls.exit_code == 0 && std::regex_search(shown, running);
  }
  ASSERT_TRUE(seen) << "ls never showed the run running; last output:\n" << shown << "\nrun log:\n"
                    << read_text_file(dir.file("run.log"));
  child.send_signal(SIGTERM);
  std::optional<int> code = child.wait(std::chrono::seconds(120));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 128 + SIGTERM) << read_text_file(dir.file("run.log"));

  Invocation after = run_bigpe({"ls", dir.file("runs")}, dir.file("after.log"));
  ASSERT_EQ(after.exit_code, 0) << after.output;
  EXPECT_TRUE(std::regex_search(after.output, std::regex(R"( run +stopped, resumable +[1-9][0-9]*/100000 it )")))
      << after.output;
  EXPECT_NE(after.output.find(id_of(run) + ": interrupted by SIGTERM; resume: bigpe resume " + run), std::string::npos)
      << after.output;
}

TEST(Diff, ShowsTheConfigKeysThatDifferTheResultsAndTheFinalInstructions) {
  testing::TempDir dir("bigpe-diff");
  const std::string a = dir.file("a"), b = dir.file("b");
  ASSERT_EQ(run_bigpe(small_run(a), dir.file("a.log")).exit_code, 0);
  ASSERT_EQ(run_bigpe(small_run(b, {"selector.kind=greedy", "iterations=3"}), dir.file("b.log")).exit_code, 0);

  Invocation d = run_bigpe({"diff", a, b}, dir.file("diff.log"));
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_NE(d.output.find("left:  " + a + " (" + id_of(a) + ")\n"), std::string::npos) << d.output;
  EXPECT_NE(d.output.find("config: 3 of "), std::string::npos) << d.output;  // iterations, out, selector.kind
  EXPECT_TRUE(std::regex_search(d.output, std::regex(R"(\nselector\.kind +ucb +greedy\n)"))) << d.output;
  EXPECT_TRUE(std::regex_search(d.output, std::regex(R"(\niterations +2 +3\n)"))) << d.output;
  EXPECT_EQ(d.output.find("\nseed "), std::string::npos) << "equal keys are not listed:\n" << d.output;
  EXPECT_TRUE(std::regex_search(d.output, std::regex(R"(\niterations +2 +3 +\+1\n)"))) << d.output;
  // Every held-out row with its interval on both sides.
  const std::string gain_row = row_of("\n" + d.output, "eval.gain_over_baseline");
  const std::size_t left_at = gain_row.find(reported_gain(a));
  ASSERT_NE(left_at, std::string::npos) << d.output;
  EXPECT_NE(gain_row.find(reported_gain(b), left_at + 1), std::string::npos) << d.output;
  for (const char* row : {"\neval.plain ", "\neval.baseline ", "\neval.professional ", "\neval.optimized ",
                          "\nrenders.done ", "\nllm.calls "})
    EXPECT_NE(d.output.find(row), std::string::npos) << row << "\n" << d.output;
  const std::string final_a = json::require_string(json::parse_strict(read_text_file(a + "/report.json")), "final_instruction");
  EXPECT_NE(d.output.find("\n  left:  " + final_a.substr(0, final_a.find('\n'))), std::string::npos) << d.output;

  Invocation same = run_bigpe({"diff", a, a}, dir.file("same.log"));
  ASSERT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("config: 0 of "), std::string::npos) << same.output;
  EXPECT_NE(same.output.find("final instruction: the same"), std::string::npos) << same.output;

  // Folders that are not runs are refused, naming the folder.
  std::filesystem::create_directories(dir.file("plain"));
  Invocation plain = run_bigpe({"diff", a, dir.file("plain")}, dir.file("plain.log"));
  EXPECT_EQ(plain.exit_code, 1) << plain.output;
  EXPECT_NE(plain.output.find(dir.file("plain") + ": not a run folder (no run.json"), std::string::npos) << plain.output;
  Invocation none = run_bigpe({"diff", dir.file("nowhere"), a}, dir.file("none.log"));
  EXPECT_EQ(none.exit_code, 1) << none.output;
  EXPECT_NE(none.output.find("nowhere: no such folder"), std::string::npos) << none.output;
  std::ofstream(dir.file("plain/campaign.json")) << "{}";
  Invocation camp = run_bigpe({"diff", dir.file("plain"), a}, dir.file("camp.log"));
  EXPECT_EQ(camp.exit_code, 1) << camp.output;
  EXPECT_NE(camp.output.find("is a campaign folder; diff compares two run folders"), std::string::npos) << camp.output;
}

}  // namespace
}  // namespace bigpe
