#include "scheduler/report/campaign_summary.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "scheduler/stats/bootstrap.h"
#include "common/csv_writer.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/store/state_store.h"

namespace bigpe::engine {
namespace {

struct Column {
  const char* name;
  double ExperimentSummary::*field;
  bool needs_eval;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> c = {
      {"initial_best", &ExperimentSummary::first_best, false},
      {"last_best", &ExperimentSummary::last_best, false},
      {"heldout_optimized", &ExperimentSummary::optimized, true},
      {"gain_over_baseline", &ExperimentSummary::gain_over_baseline, true},
      {"gain_over_professional", &ExperimentSummary::gain_over_professional, true},
  };
  return c;
}

struct VariantStats {
  std::string variant;
  int n = 0;        // finished experiments
  int planned = 0;  // all repeats
  std::vector<double> mean, low, high;
};

std::vector<VariantStats> variant_stats(const std::vector<ExperimentSummary>& rows) {
  std::vector<VariantStats> out;
  std::map<std::string, std::size_t> index;
  std::map<std::string, std::vector<const ExperimentSummary*>> done;
  for (const ExperimentSummary& r : rows) {
    if (!index.count(r.member.variant)) {
      index[r.member.variant] = out.size();
      out.push_back({r.member.variant, 0, 0, {}, {}, {}});
    }
    ++out[index[r.member.variant]].planned;
    if (r.status == "finished") done[r.member.variant].push_back(&r);
  }
  for (VariantStats& v : out) {
    const auto& rs = done[v.variant];
    v.n = static_cast<int>(rs.size());
    for (const Column& c : columns()) {
      std::vector<double> values;
      for (const ExperimentSummary* r : rs)
        if (!c.needs_eval || r->evaluated) values.push_back(r->*c.field);
      Interval ci = bootstrap_mean_interval(values, "campaign|" + v.variant + "|" + c.name);
      v.mean.push_back(mean_of_values(values));
      v.low.push_back(ci.low);
      v.high.push_back(ci.high);
    }
  }
  return out;
}

std::string fixed(double v, int digits = 3) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::vector<ExperimentSummary> collect_summaries(RedisClient& redis, const std::vector<CampaignMember>& members) {
  std::vector<ExperimentSummary> rows;
  for (const CampaignMember& m : members) {
    ExperimentSummary s;
    s.member = m;
    StateStore store(redis, m.experiment_id);
    if (!store.exists()) {
      s.status = "missing";
      rows.push_back(s);
      continue;
    }
    std::map<std::string, std::string> meta = store.load_meta();
    s.status = meta["status"];
    std::map<std::string, std::string> config = store.load_config_values();
    s.seed = std::stoll(config.count("seed") ? config["seed"] : "0");
    s.taste_seed = std::stoll(config.count("sim.taste_seed") ? config["sim.taste_seed"] : "0");
    if (std::optional<ExperimentState> state = store.load_state()) {
      s.iterations = static_cast<int>(state->summaries.size());
      if (!state->summaries.empty()) {
        s.first_best = state->summaries.front().best;
        s.last_best = state->summaries.back().best;
      }
      s.renders_done = state->renders_done;
      s.renders_cached = state->renders_cached;
    }
    if (std::optional<std::string> bytes = store.load_evaluation()) {
      EvaluationResult e = decode_evaluation(*bytes);
      auto mean = [&](const char* method) {
        const MethodResult* r = e.find(method);
        return r ? r->mean : 0.0;
      };
      s.evaluated = e.find("optimized") != nullptr;
      s.plain = mean("plain");
      s.baseline = mean("baseline");
      s.professional = mean("professional");
      s.optimized = mean("optimized");
      // Means of paired differences equal differences of means.
      s.gain_over_baseline = s.optimized - s.baseline;
      s.gain_over_professional = s.optimized - s.professional;
    }
    rows.push_back(s);
  }
  return rows;
}

void write_campaign_summary(const std::string& dir, const std::string& campaign_id,
                            const std::vector<ExperimentSummary>& rows) {
  CsvWriter per(dir + "/summary.csv",
                {"experiment_id", "variant", "repeat", "seed", "taste_seed", "status", "iterations", "initial_best",
                 "last_best", "renders_done", "renders_cached", "plain", "baseline", "professional",
                 "optimized", "gain_over_baseline", "gain_over_professional"});
  for (const ExperimentSummary& r : rows) {
    auto ev = [&](double v) { return r.evaluated ? csv_number(v) : std::string(); };
    per.row({r.member.experiment_id, r.member.variant, std::to_string(r.member.repeat), std::to_string(r.seed),
             std::to_string(r.taste_seed), r.status, std::to_string(r.iterations), csv_number(r.first_best),
             csv_number(r.last_best), std::to_string(r.renders_done), std::to_string(r.renders_cached),
             ev(r.plain), ev(r.baseline), ev(r.professional), ev(r.optimized), ev(r.gain_over_baseline),
             ev(r.gain_over_professional)});
  }
  per.close();

  std::vector<std::string> header = {"variant", "finished", "repeats"};
  for (const Column& c : columns())
    for (const char* part : {"_mean", "_ci_low", "_ci_high"}) header.push_back(std::string(c.name) + part);
  CsvWriter table(dir + "/table.csv", header);
  std::vector<VariantStats> stats = variant_stats(rows);
  for (const VariantStats& v : stats) {
    std::vector<std::string> f = {v.variant, std::to_string(v.n), std::to_string(v.planned)};
    for (std::size_t c = 0; c < columns().size(); ++c) {
      f.push_back(csv_number(v.mean[c]));
      f.push_back(csv_number(v.low[c]));
      f.push_back(csv_number(v.high[c]));
    }
    table.row(f);
  }
  table.close();

  std::ostringstream md;
  md << "# Campaign " << campaign_id << "\n\n"
     << "Mean over finished repeats, with the 95% bootstrap interval across repeats. initial/last: best "
        "batch score in the first/last iteration (the paper's Table 1 metric, noisy); held-out: the final "
        "instruction on the held-out queries, and its paired gains.\n\n"
     << "| variant | finished | initial best | last best | held-out | gain over I0 | gain over professional |\n"
     << "|---|---|---|---|---|---|---|\n";
  for (const VariantStats& v : stats) {
    md << "| " << v.variant << " | " << v.n << "/" << v.planned;
    for (std::size_t c = 0; c < columns().size(); ++c)
      md << " | " << fixed(v.mean[c]) << " [" << fixed(v.low[c]) << ", " << fixed(v.high[c]) << "]";
    md << " |\n";
  }
  const std::string path = dir + "/summary.md";
  std::ofstream f(path, std::ios::trunc);
  f << md.str();
  f.flush();
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string campaign_table_text(const std::vector<ExperimentSummary>& rows) {
  std::ostringstream out;
  char line[320];
  std::snprintf(line, sizeof line, "%-22s %8s  %-24s %-24s %-24s\n", "variant", "finished", "last best",
                "held-out gain over I0", "gain over professional");
  out << line;
  for (const VariantStats& v : variant_stats(rows)) {
    auto cell = [&](std::size_t c) {
      return fixed(v.mean[c], 2) + " [" + fixed(v.low[c], 2) + ", " + fixed(v.high[c], 2) + "]";
    };
    std::snprintf(line, sizeof line, "%-22s %5d/%-3d %-24s %-24s %-24s\n", v.variant.c_str(), v.n, v.planned,
                  cell(1).c_str(), cell(3).c_str(), cell(4).c_str());
    out << line;
  }
  return out.str();
}

}  // namespace bigpe::engine
