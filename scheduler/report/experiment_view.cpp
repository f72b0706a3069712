#include "scheduler/report/experiment_view.h"

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
  const bool eval_enabled = config.count("eval.enabled") == 0 || config["eval.enabled"] == "true";
  v.phase = "training";
  if (std::optional<ExperimentState> s = store.load_state()) {
    v.iterations_done = static_cast<int>(s->summaries.size());
    v.evaluated = s->evaluated;
    if (s->finished) v.phase = eval_enabled && !s->evaluated ? "evaluation" : "done";
    v.renders_done = s->renders_done;
    v.renders_cached = s->renders_cached;
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
