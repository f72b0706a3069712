#include "scheduler/report/experiment_view.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "scheduler/store/state_store.h"

namespace bigpe::engine {
namespace {

struct Rates {
  double renders_per_s = 0.0;
  double seconds_per_iteration = 0.0;
};

// Between the last two iteration events of the stream.
Rates last_rates(RedisClient& redis, const std::string& stream) {
  RedisReply r = redis.command({"XREVRANGE", stream, "+", "-", "COUNT", "8"});
  std::vector<std::pair<double, double>> points;  // (ms, renders done)
  for (const RedisReply& e : r.elements) {
    if (e.elements.size() < 2) continue;
    const std::string& sid = e.elements[0].str;
    std::string type, done;
    const auto& f = e.elements[1].elements;
    for (std::size_t i = 0; i + 1 < f.size(); i += 2) {
      if (f[i].str == "type") type = f[i + 1].str;
      if (f[i].str == "renders_done") done = f[i + 1].str;
    }
    if (type != "iteration" || done.empty()) continue;
    points.push_back({std::stod(sid.substr(0, sid.find('-'))), std::stod(done)});
    if (points.size() == 2) break;
  }
  if (points.size() < 2 || points[0].first <= points[1].first) return {};
  const double seconds = (points[0].first - points[1].first) / 1000.0;
  return {(points[0].second - points[1].second) / seconds, seconds};
}

}  // namespace

double ExperimentView::progress() const {
  if (phase == "evaluation" || phase == "done") return 1.0;
  double p = iterations > 0 ? static_cast<double>(iterations_done) / iterations : 0.0;
  if (render_budget > 0) p = std::max(p, static_cast<double>(renders_spent) / static_cast<double>(render_budget));
  return std::min(1.0, p);
}

double ExperimentView::eta_seconds() const {
  if (seconds_per_iteration <= 0) return -1.0;  // not running, or one iteration in
  if (progress() >= 1.0) return 0.0;
  double left = seconds_per_iteration * (iterations - iterations_done);
  // A budget run: the iterations its remaining renders buy at the last
  // iteration's rate, when that comes first.
  if (render_budget > 0 && rate > 0)
    left = std::min(left, static_cast<double>(render_budget - renders_spent) / rate);
  return std::max(0.0, left);
}

ExperimentView view_of(RedisClient& redis, const std::string& id, bool owner_gone) {
  ExperimentView v;
  v.id = id;
  v.label = id;
  StateStore store(redis, id);
  std::map<std::string, std::string> meta = store.load_meta();
  if (meta.empty()) {
    v.status = "not started";
    return v;
  }
  v.status = meta["status"];
  v.reason = meta["reason"];
  v.campaign_id = meta["campaign_id"];
  if (owner_gone && v.status == "running") v.status = "killed";
  if (!meta["variant"].empty()) v.label = meta["variant"] + ".r" + meta["repeat"];
  std::map<std::string, std::string> config = store.load_config_values();
  v.iterations = config.count("iterations") ? std::stoi(config["iterations"]) : 0;
  v.render_budget = config.count("budget.renders") && !config["budget.renders"].empty()
                        ? std::stol(config["budget.renders"])
                        : 0;
  const bool eval_enabled = config.count("eval.enabled") == 0 || config["eval.enabled"] == "true";
  v.phase = "training";
  if (std::optional<ExperimentState> s = store.load_state()) {
    v.iterations_done = static_cast<int>(s->summaries.size());
    v.evaluated = s->evaluated;
    if (s->finished) v.phase = eval_enabled && !s->evaluated ? "evaluation" : "done";
    v.renders_done = s->renders_done;
    v.renders_cached = s->renders_cached;
    v.renders_scored = s->renders_scored;
    v.renders_spent = s->renders_spent;
    v.llm = s->llm;
    for (const IterationSummary& it : s->summaries) {
      if (!v.has_best || it.best > v.best) v.best = it.best;
      v.has_best = true;
    }
  }
  if (v.status == "running") {
    const Rates r = last_rates(redis, store.key("events"));
    v.rate = r.renders_per_s;
    v.seconds_per_iteration = r.seconds_per_iteration;
  }
  return v;
}

}  // namespace bigpe::engine
