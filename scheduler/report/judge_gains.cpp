#include "scheduler/report/judge_gains.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/csv_writer.h"
#include "scheduler/report/markdown_cell.h"

namespace bigpe::engine {
namespace {

const JudgeSummary* find_judge(const ExperimentSummary& r, const std::string& judge) {
  for (const JudgeSummary& j : r.judges)
    if (j.judge == judge) return &j;
  return nullptr;
}

std::string gain_text(const RepeatInterval& r) { return format_repeat_interval(r, 2, true); }

std::string share_text(const JudgeGainRow& r) {
  if (!share_meaningful(r)) return "-";
  char s[32];
  std::snprintf(s, sizeof s, "%.0f%%", 100.0 * r.share);  // as scripts/aggregate's judges table
  return s;
}

}  // namespace

bool share_meaningful(const JudgeGainRow& r) {
  const RepeatInterval& g = r.optimized_gain;
  return g.n && g.mean > 0.0 && (!g.has_interval() || g.low > 0.0);
}

std::vector<std::string> judge_names(const std::vector<ExperimentSummary>& rows) {
  std::vector<std::string> names;
  for (const ExperimentSummary& r : rows)
    for (const JudgeSummary& j : r.judges)
      if (std::find(names.begin(), names.end(), j.judge) == names.end()) names.push_back(j.judge);
  return names;
}

std::vector<JudgeGainRow> judge_gain_rows(const std::vector<ExperimentSummary>& rows) {
  std::vector<std::string> variants;
  for (const ExperimentSummary& r : rows)
    if (std::find(variants.begin(), variants.end(), r.member.variant) == variants.end())
      variants.push_back(r.member.variant);
  std::vector<JudgeGainRow> out;
  for (const std::string& variant : variants) {
    std::vector<const ExperimentSummary*> done;
    for (const ExperimentSummary& r : rows)
      if (r.member.variant == variant && r.status == "finished" && r.evaluated) done.push_back(&r);
    std::vector<std::string> judges;
    for (const ExperimentSummary* r : done)
      for (const JudgeSummary& j : r->judges)
        if (std::find(judges.begin(), judges.end(), j.judge) == judges.end()) judges.push_back(j.judge);
    for (const std::string& judge : judges) {
      std::vector<double> optimized, judged, difference;
      JudgeGainRow row;
      row.variant = variant;
      row.judge = judge;
      for (const ExperimentSummary* r : done)
        if (const JudgeSummary* j = find_judge(*r, judge)) {
          if (row.optimized_scorer.empty()) row.optimized_scorer = r->optimized_scorer;
          optimized.push_back(r->gain_over_baseline);
          judged.push_back(j->gain_over_baseline);
          difference.push_back(j->gain_over_baseline - r->gain_over_baseline);
        }
      row.optimized_gain = repeat_interval(optimized);
      row.judge_gain = repeat_interval(judged);
      row.difference = repeat_interval(difference);
      row.share = row.optimized_gain.mean == 0.0 ? 0.0 : row.judge_gain.mean / row.optimized_gain.mean;
      out.push_back(row);
    }
  }
  return out;
}

std::string judge_table_markdown(const std::vector<JudgeGainRow>& rows) {
  if (rows.empty()) return "";
  std::ostringstream md;
  md << "## Held-out judges\n\n"
     << "Held-out gain of the final instruction over I0 on the score the loop optimized and on each judge it "
        "never saw (`score.judges`), mean over finished repeats with the 95% t-interval; judge - optimized is "
        "paired per repeat, share = gain on the judge / gain on the optimized score (\"-\" unless the gain on the "
        "optimized score is above zero with its interval). A share far below 1 means the gain is partly the "
        "optimized scorer's own taste.\n\n"
     << "| variant | optimized | judge | n | gain on optimized | gain on judge | judge - optimized | share |\n"
     << "|---|---|---|---|---|---|---|---|\n";
  for (const JudgeGainRow& r : rows)
    md << "| " << markdown_cell(r.variant) << " | " << markdown_cell(r.optimized_scorer) << " | "
       << markdown_cell(r.judge) << " | " << r.judge_gain.n << " | " << markdown_cell(gain_text(r.optimized_gain))
       << " | " << markdown_cell(gain_text(r.judge_gain)) << " | " << markdown_cell(gain_text(r.difference))
       << " | " << share_text(r) << " |\n";
  return md.str();
}

std::string judge_table_text(const std::vector<JudgeGainRow>& rows) {
  if (rows.empty()) return "";
  std::ostringstream out;
  char line[400];
  out << "held-out judges: gain over I0 on the optimized score and on each judge\n";
  std::snprintf(line, sizeof line, "%-22s %-12s %-12s %-24s %-24s %-24s %s\n", "variant", "optimized", "judge",
                "gain on optimized", "gain on judge", "judge - optimized", "share");
  out << line;
  for (const JudgeGainRow& r : rows) {
    std::snprintf(line, sizeof line, "%-22s %-12s %-12s %-24s %-24s %-24s %s\n", r.variant.c_str(),
                  r.optimized_scorer.c_str(), r.judge.c_str(), gain_text(r.optimized_gain).c_str(),
                  gain_text(r.judge_gain).c_str(), gain_text(r.difference).c_str(), share_text(r).c_str());
    out << line;
  }
  return out.str();
}

void write_judge_csv(const std::string& path, const std::vector<JudgeGainRow>& rows) {
  std::vector<std::string> header = {"variant", "optimized_scorer", "judge", "n"};
  for (const char* c : {"optimized_gain", "judge_gain", "judge_minus_optimized"})
    for (const char* part : {"_mean", "_ci_low", "_ci_high"}) header.push_back(std::string(c) + part);
  header.push_back("share");
  CsvWriter csv(path, header);
  for (const JudgeGainRow& r : rows) {
    std::vector<std::string> f = {r.variant, r.optimized_scorer, r.judge, std::to_string(r.judge_gain.n)};
    for (const RepeatInterval* i : {&r.optimized_gain, &r.judge_gain, &r.difference}) {
      f.push_back(i->n ? csv_number(i->mean) : "");
      f.push_back(i->has_interval() ? csv_number(i->low) : "");
      f.push_back(i->has_interval() ? csv_number(i->high) : "");
    }
    f.push_back(share_meaningful(r) ? csv_number(r.share) : "");
    csv.row(f);
  }
  csv.close();
}

}  // namespace bigpe::engine
