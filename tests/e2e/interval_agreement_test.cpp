// One quantity, one interval (issue 16 item 9): a small campaign with 2 and
// with 5 repeats is run, exported and aggregated through the real
// executables, and every table that shows a repeats quantity prints the same
// interval for it: the campaign's console table and summary.md (C++,
// campaign_summary.cpp) and scripts/aggregate's Table 1 and Table 2
// (Python). Intervals from fewer than 5 repeats carry the "*" mark in each.
// Skipped without Debian's python3-pandas/-scipy/-matplotlib.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/support/bigpe_invocation.h"
#include "tests/support/csv_reader.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::read_text_file;
using testing::run_bigpe;

// The cells of the Markdown table row that starts with `first` (e.g.
// "| ucb |"), Markdown escapes removed; empty when there is no such row.
std::vector<std::string> markdown_row(const std::string& md, const std::string& first) {
  std::istringstream in(md);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| " + first + " |", 0) != 0) continue;
    std::vector<std::string> cells;
    std::string cell;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size()) {
        cell += line[++i];
      } else if (line[i] == '|') {
        cells.push_back(cell.substr(1, cell.size() - 2));  // the padding spaces
        cell.clear();
      } else {
        cell += line[i];
      }
    }
    return cells;
  }
  return {};
}

// The intervals ("m [l, h]" and an optional mark) on the first console line
// of a variant that holds `also`, in column order.
std::vector<std::string> console_intervals(const std::string& output, const std::string& variant,
                                           const std::string& also = "") {
  static const std::regex interval(R"([-+]?\d+\.\d+ \[[-+]?\d+\.\d+, [-+]?\d+\.\d+\]\*?)");
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(variant + " ", 0) != 0 || line.find(also) == std::string::npos) continue;
    std::vector<std::string> out;
    for (std::sregex_iterator it(line.begin(), line.end(), interval), end; it != end; ++it) out.push_back(it->str());
    return out;
  }
  return {};
}

struct Tables {
  std::string console, summary_md, table1_md, table2_md;
  std::string judges_md, judge_table2_md;  // scripts/aggregate's, "" when it wrote none
  bool judges_csv = false;                  // the campaign wrote judges.csv
  bool skipped = false;
};

// With `judged`, every image is also scored by the held-out sim-judge.
Tables run_campaign(const testing::TempDir& dir, int repeats, bool judged) {
  Tables t;
  const std::string tag = "r" + std::to_string(repeats);
  std::string campaign = testing::write_small_campaign(
      dir.path(), "repeats: " + std::to_string(repeats) + "\nseed_base: 3\ntaste_from_repeat: true\n",
      judged ? "  score.scorers: sim,sim-judge\n  score.judges: sim-judge\n" : "");
  const std::string out = dir.file(tag + "-campaign"), exported = dir.file(tag + "-export");
  Invocation c = run_bigpe({"campaign", campaign, "--out", out}, dir.file(tag + "-campaign.log"));
  EXPECT_EQ(c.exit_code, 0) << c.output;
  t.console = c.output;
  t.summary_md = read_text_file(out + "/summary.md");
  Invocation e = run_bigpe({"export", out, "--out", exported, "--no-images"}, dir.file(tag + "-export.log"));
  EXPECT_EQ(e.exit_code, 0) << e.output;

  ChildProcessOptions o;
  o.argv = {"/usr/bin/python3", testing::source_dir() + "/scripts/aggregate", exported, "--out",
            dir.file(tag + "-report"), "--gallery", "none", "--lineage", "none", "--quiet"};
  o.stdout_path = o.stderr_path = dir.file(tag + "-aggregate.log");
  Invocation a = testing::run_child(o);
  if (a.exit_code != 0 && a.output.find("install python3-pandas") != std::string::npos) {
    t.skipped = true;
    return t;
  }
  EXPECT_EQ(a.exit_code, 0) << a.output;
  t.table1_md = read_text_file(dir.file(tag + "-report") + "/table1.md");
  t.table2_md = read_text_file(dir.file(tag + "-report") + "/table2.md");
  t.judges_csv = std::filesystem::exists(out + "/judges.csv");
  if (std::filesystem::exists(dir.file(tag + "-report") + "/judges.md")) {
    t.judges_md = read_text_file(dir.file(tag + "-report") + "/judges.md");
    t.judge_table2_md = read_text_file(dir.file(tag + "-report") + "/table2_sim-judge.md");
  }
  return t;
}

// The judge's gains (issue 14): the campaign's judge table (summary.md, the
// console) and scripts/aggregate's judges table and the judge's Table 2
// print one interval for each.
void expect_one_interval_per_judge_quantity(const Tables& t) {
  for (const std::string variant : {"ucb", "greedy"}) {
    SCOPED_TRACE(variant);
    // summary.md: variant, optimized, judge, n, gain on optimized, gain on
    // judge, judge - optimized, share; judges.md the same columns.
    std::vector<std::string> campaign = markdown_row(t.summary_md, variant + " | sim | sim-judge");
    std::vector<std::string> aggregate = markdown_row(t.judges_md, variant + " | sim | sim-judge");
    std::vector<std::string> table1 = markdown_row(t.table1_md, variant);
    std::vector<std::string> judge_table2 = markdown_row(t.judge_table2_md, variant + " | optimized");
    std::vector<std::string> console = console_intervals(t.console, variant, "sim-judge");
    ASSERT_EQ(campaign.size(), 8u) << t.summary_md;
    ASSERT_EQ(aggregate.size(), 8u) << t.judges_md;
    ASSERT_EQ(judge_table2.size(), 7u) << t.judge_table2_md;
    ASSERT_EQ(console.size(), 3u) << t.console;
    EXPECT_EQ(campaign[3], "5");
    EXPECT_EQ(aggregate[3], "5 experiments");
    EXPECT_EQ(campaign[4], table1[6]) << "gain over I0 on the optimized score";
    EXPECT_EQ(aggregate[4], campaign[4]) << "gain over I0 on the optimized score";
    EXPECT_EQ(aggregate[5], campaign[5]) << "gain over I0 on the judge";
    EXPECT_EQ(judge_table2[4], campaign[5]) << "gain over I0 on the judge";
    EXPECT_EQ(aggregate[6], campaign[6]) << "judge - optimized";
    EXPECT_EQ(aggregate[7], campaign[7]) << "share";
    EXPECT_EQ(console, (std::vector<std::string>{campaign[4], campaign[5], campaign[6]}));
    EXPECT_NE(campaign[5], campaign[4]) << "the judge's gain is the optimized one";
  }
}

void expect_one_interval_per_quantity(const Tables& t, int repeats) {
  const bool marked = repeats < 5;
  for (const std::string variant : {"ucb", "greedy"}) {
    SCOPED_TRACE(variant + " with " + std::to_string(repeats) + " repeats");
    // summary.md: variant, finished, initial, last, held-out, gain I0, gain pro.
    std::vector<std::string> campaign = markdown_row(t.summary_md, variant);
    // Table 1: cell, n, iterations, initial, last, change, gain I0, gain pro.
    std::vector<std::string> table1 = markdown_row(t.table1_md, variant);
    // Table 2: cell, method, n, score, vs baseline, Wilcoxon p, wins.
    std::vector<std::string> table2 = markdown_row(t.table2_md, variant + " | optimized");
    std::vector<std::string> console = console_intervals(t.console, variant);  // last, gain I0, gain pro
    ASSERT_EQ(campaign.size(), 7u) << t.summary_md;
    ASSERT_EQ(table1.size(), 8u) << t.table1_md;
    ASSERT_EQ(table2.size(), 7u) << t.table2_md;
    ASSERT_EQ(console.size(), 3u) << t.console;
    EXPECT_EQ(table1[1], std::to_string(repeats));

    EXPECT_EQ(campaign[2], table1[3]) << "initial best";
    EXPECT_EQ(campaign[3], table1[4]) << "last best";
    EXPECT_EQ(console[0], table1[4]) << "last best";
    EXPECT_EQ(campaign[4], table2[3]) << "held-out score of the optimized instruction";
    EXPECT_EQ(campaign[5], table1[6]) << "gain over I0";
    EXPECT_EQ(table2[4], table1[6]) << "gain over I0";
    EXPECT_EQ(console[1], table1[6]) << "gain over I0";
    EXPECT_EQ(campaign[6], table1[7]) << "gain over professional";
    EXPECT_EQ(console[2], table1[7]) << "gain over professional";

    for (const std::string& cell : {campaign[2], campaign[3], campaign[4], campaign[5], campaign[6], table1[5],
                                    table2[3], table2[4], console[0]}) {
      ASSERT_NE(cell.find(" ["), std::string::npos) << cell;
      EXPECT_EQ(cell.back() == '*', marked) << cell;
    }
  }
  EXPECT_EQ(t.console.find("too few to trust") != std::string::npos, marked) << t.console;
}

TEST(IntervalAgreement, CampaignTableAndAggregateTablesPrintOneIntervalPerQuantity) {
  testing::TempDir dir("bigpe-intervals");
  for (int repeats : {2, 5}) {
    // The second also has a held-out judge, which changes none of the
    // optimized score's numbers.
    const bool judged = repeats == 5;
    Tables t = run_campaign(dir, repeats, judged);
    if (t.skipped) GTEST_SKIP() << "scripts/aggregate needs python3-pandas, -scipy and -matplotlib";
    expect_one_interval_per_quantity(t, repeats);
    EXPECT_EQ(t.judges_csv, judged);
    EXPECT_EQ(!t.judges_md.empty(), judged);
    EXPECT_EQ(t.summary_md.find("Held-out judges") != std::string::npos, judged);
    if (judged) expect_one_interval_per_judge_quantity(t);
  }
}

// A line of `bigpe run`'s own table or report.md's held-out table: the
// "mean[low,high]" text after `label`, without spaces or plus signs.
std::string interval_after(const std::string& text, const std::string& label) {
  const auto at = text.find(label);
  if (at == std::string::npos) return "";
  std::string line = text.substr(at + label.size(), text.find('\n', at) - at - label.size());
  std::string out;
  for (char c : line)
    if (c != ' ' && c != '|' && c != '+') out += c;  // report.md prints gains without a sign
  return out.substr(0, out.find(']') + 1);
}

std::string two_decimals(double mean, double low, double high, bool sign) {
  char buf[96];
  std::snprintf(buf, sizeof buf, sign ? "%+.2f [%+.2f, %+.2f]" : "%.2f [%.2f, %.2f]", mean, low, high);
  return buf;
}

// One experiment: its console table, report.md, report.json and aggregate's
// Table 2 (over its cells) give the paired gain one interval; each table
// used to draw its own bootstrap.
TEST(IntervalAgreement, OneRunsTablesAndTable2ShowItsGainWithOneInterval) {
  testing::TempDir dir("bigpe-intervals-run");
  const std::string run = dir.file("run"), exported = dir.file("export");
  Invocation r = run_bigpe({"run", "experiments/quickstart.yaml", "out=" + run, "iterations=2", "batch_size=2",
                            "sim.cost_ms=0", "eval.seeds=2", "write_images=false"},
                           dir.file("run.log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string report_md = read_text_file(run + "/report.md");
  const std::string console_gain = interval_after(r.output, "gain over I0 (paired)");
  ASSERT_NE(console_gain, "") << r.output;
  EXPECT_EQ(interval_after(report_md, "gain over I0 (paired)"), console_gain) << report_md;
  EXPECT_EQ(interval_after(report_md, "gain over professional (paired)"),
            interval_after(r.output, "gain over professional"))
      << report_md;

  nlohmann::json report = nlohmann::json::parse(read_text_file(run + "/report.json"));
  const nlohmann::json& gain = report["eval"]["gain_over_baseline"];
  char three[96];
  std::snprintf(three, sizeof three, "%.3f[%.3f,%.3f]", gain["mean"].get<double>(), gain["ci_low"].get<double>(),
                gain["ci_high"].get<double>());
  EXPECT_EQ(std::string(three), console_gain) << "report.json";

  Invocation e = run_bigpe({"export", run, "--out", exported, "--no-images"}, dir.file("export.log"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  ChildProcessOptions o;
  o.argv = {"/usr/bin/python3", testing::source_dir() + "/scripts/aggregate", exported, "--out",
            dir.file("report"), "--gallery", "none", "--lineage", "none", "--quiet"};
  o.stdout_path = o.stderr_path = dir.file("aggregate.log");
  Invocation a = testing::run_child(o);
  if (a.exit_code != 0 && a.output.find("install python3-pandas") != std::string::npos)
    GTEST_SKIP() << "scripts/aggregate needs python3-pandas, -scipy and -matplotlib";
  ASSERT_EQ(a.exit_code, 0) << a.output;
  const std::string table2_md = read_text_file(dir.file("report") + "/table2.md");
  std::vector<std::string> table2 = markdown_row(table2_md, "quickstart | optimized");
  ASSERT_EQ(table2.size(), 7u) << table2_md;
  EXPECT_EQ(table2[4], two_decimals(gain["mean"].get<double>(), gain["ci_low"].get<double>(),
                                    gain["ci_high"].get<double>(), true))
      << table2_md;
  const nlohmann::json& opt = report["eval"]["optimized"];
  EXPECT_EQ(table2[3], two_decimals(opt["mean"].get<double>(), opt["ci_low"].get<double>(),
                                    opt["ci_high"].get<double>(), false))
      << table2_md;
}

}  // namespace
}  // namespace bigpe
