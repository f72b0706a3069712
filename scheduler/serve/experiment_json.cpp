#include "scheduler/serve/experiment_json.h"

#include <filesystem>
#include <map>

#include "scheduler/engine/evaluation.h"
#include "scheduler/engine/paper_pairs.h"
#include "scheduler/experiment/iteration_record.h"
#include "scheduler/serve/image_files.h"
#include "scheduler/stats/repeat_interval.h"
#include "scheduler/store/state_store.h"

namespace bigpe::serve {

using nlohmann::ordered_json;
namespace fs = std::filesystem;

namespace {

ordered_json interval_json(const std::vector<double>& values) {
  const engine::RepeatInterval r = engine::repeat_interval(values);
  ordered_json j = {{"mean", r.mean}, {"n", r.n}};
  j["low"] = r.has_interval() ? ordered_json(r.low) : ordered_json(nullptr);
  j["high"] = r.has_interval() ? ordered_json(r.high) : ordered_json(nullptr);
  return j;
}

ordered_json curve_point(const engine::IterationSummary& s, const engine::IterationRecord& rec) {
  ordered_json p = {{"iteration", s.iteration + 1}, {"best", s.best},   {"mean", s.mean},
                    {"pool", s.pool},               {"best_id", s.best_id}, {"renders", s.renders_spent}};
  std::vector<double> batch;
  const engine::ArmRecord* best = nullptr;
  for (const engine::ArmRecord& a : rec.arms) {
    batch.push_back(a.batch_score);
    if (best == nullptr || a.batch_score > best->batch_score) best = &a;
  }
  p["mean_interval"] = interval_json(batch);  // over the iteration's arms
  p["best_interval"] = interval_json(best ? best->scores : std::vector<double>{});  // over its queries
  return p;
}

ordered_json lineage_json(const engine::ExperimentState& state, const std::map<std::string, double>& best_batch) {
  ordered_json out = ordered_json::array();
  for (const auto& [id, r] : state.instructions) {
    ordered_json j = {{"id", id}, {"text", r.text}, {"parent", r.parent}, {"born", r.born + 1},
                      {"improvement", r.improvement}};
    auto h = state.history.find(r.text);
    const std::vector<double> scores = h == state.history.end() ? std::vector<double>{} : h->second.scores;
    j["pulls"] = h == state.history.end() ? 0 : h->second.pulls;
    j["score"] = interval_json(scores);
    auto b = best_batch.find(id);
    j["best_batch"] = b == best_batch.end() ? ordered_json(nullptr) : ordered_json(b->second);
    j["in_pool"] = std::find(state.pool.begin(), state.pool.end(), id) != state.pool.end();
    j["final"] = id == state.final_id;
    out.push_back(j);
  }
  return out;
}

ordered_json latest_json(const engine::IterationRecord& rec) {
  ordered_json j = {{"iteration", rec.iteration + 1}, {"queries", rec.queries}, {"i_low", rec.i_low},
                    {"selected", rec.selected},      {"children", rec.children}, {"gradient_text", rec.gradient_text},
                    {"improvements", rec.improvements}};
  ordered_json pairs = ordered_json::array();
  auto low = std::find_if(rec.arms.begin(), rec.arms.end(), [&](const engine::ArmRecord& a) { return a.id == rec.i_low; });
  if (low != rec.arms.end() && low->prompts.size() == rec.queries.size())
    for (const ContrastPair& p : engine::paper_contrast_pairs(rec, *low))
      pairs.push_back({{"query", p.query}, {"low_prompt", p.low_prompt}, {"low_score", p.low_score},
                       {"high_prompt", p.high_prompt}, {"high_score", p.high_score}});
  j["pairs"] = pairs;
  return j;
}

// Rows: method, instruction id or "", per query {query, prompt, score, image}.
ordered_json images_from_iteration(const engine::IterationRecord& rec) {
  ordered_json rows = ordered_json::array();
  ordered_json pro = ordered_json::array();
  for (const std::string& q : rec.queries)
    for (const engine::ProfessionalRecord& p : rec.professional)
      if (p.query == q) {
        pro.push_back({{"query", q}, {"prompt", p.prompt}, {"score", p.score}, {"image", image_url(p.image)}});
        break;  // the first professional prompt of each query
      }
  rows.push_back({{"method", "professional"}, {"instruction", ""}, {"cells", pro}});
  for (const engine::ArmRecord& a : rec.arms) {
    ordered_json cells = ordered_json::array();
    for (std::size_t q = 0; q < rec.queries.size() && q < a.prompts.size(); ++q)
      cells.push_back({{"query", rec.queries[q]},
                       {"prompt", a.prompts[q]},
                       {"score", q < a.scores.size() ? a.scores[q] : 0.0},
                       {"image", q < a.images.size() ? image_url(a.images[q]) : ""}});
    rows.push_back({{"method", a.id == "i0" ? "I0" : "instruction"}, {"instruction", a.id}, {"cells", cells}});
  }
  return {{"source", "iteration " + std::to_string(rec.iteration + 1)}, {"rows", rows}};
}

// The first seed of each held-out query, per method.
ordered_json images_from_evaluation(const engine::EvaluationResult& e) {
  static const std::map<std::string, std::string> kNames = {
      {"plain", "plain"}, {"baseline", "I0"}, {"professional", "professional"}, {"optimized", "final"}};
  ordered_json rows = ordered_json::array();
  for (const engine::MethodResult& m : e.methods) {
    ordered_json cells = ordered_json::array();
    for (std::size_t c = 0; c < m.values.size(); c += static_cast<std::size_t>(std::max(1, e.seeds)))
      cells.push_back({{"query", e.query_of(c)},
                       {"prompt", c < m.prompts.size() ? m.prompts[c] : ""},
                       {"score", m.values[c]},
                       {"image", c < m.images.size() ? image_url(m.images[c]) : ""}});
    auto n = kNames.find(m.method);
    rows.push_back({{"method", n == kNames.end() ? m.method : n->second}, {"instruction", m.instruction},
                    {"mean", m.mean}, {"low", m.ci_low}, {"high", m.ci_high}, {"cells", cells}});
  }
  return {{"source", "held-out evaluation"}, {"rows", rows}};
}

}  // namespace

std::string image_url(const std::string& path) {
  const fs::path p(path);
  const std::string file = p.filename().string(), experiment = p.parent_path().filename().string();
  if (p.parent_path().parent_path().filename() != "images" || !valid_image_name(experiment, file)) return "";
  return "/images/" + experiment + "/" + file;
}

ordered_json experiment_summary_json(const engine::ExperimentView& v) {
  ordered_json j = {{"id", v.id},
                    {"label", v.label},
                    {"campaign_id", v.campaign_id},
                    {"status", v.status},
                    {"reason", v.reason},
                    {"phase", v.phase},
                    {"iterations_done", v.iterations_done},
                    {"iterations", v.iterations},
                    {"progress", v.progress()},
                    {"renders_done", v.renders_done},
                    {"renders_cached", v.renders_cached},
                    {"renders_scored", v.renders_scored},
                    {"llm_calls", v.llm.calls}};
  j["best"] = v.has_best ? ordered_json(v.best) : ordered_json(nullptr);
  j["renders_per_s"] = v.rate;
  j["render_budget"] = v.render_budget;
  j["renders_spent"] = v.renders_spent;
  // Training still to run at the last iteration's pace.
  const double eta = v.eta_seconds();
  j["eta_s"] = eta >= 0 ? ordered_json(eta) : ordered_json(nullptr);
  return j;
}

std::optional<ordered_json> experiment_detail_json(RedisClient& redis, const std::string& id, bool owner_gone) {
  engine::StateStore store(redis, id);
  if (!store.exists()) return std::nullopt;
  const engine::ExperimentView v = engine::view_of(redis, id, owner_gone);
  ordered_json j = experiment_summary_json(v);
  ordered_json config = ordered_json::object();
  for (const auto& [k, value] : store.load_config_values()) config[k] = value;
  j["config"] = config;
  std::optional<engine::ExperimentState> state = store.load_state();
  ordered_json curve = ordered_json::array();
  std::map<std::string, double> best_batch;
  std::optional<engine::IterationRecord> latest, first;
  if (state) {
    for (std::size_t n = 0; n < state->summaries.size(); ++n) {
      std::optional<std::string> bytes = store.load_iteration(static_cast<int>(n));
      if (!bytes) throw std::runtime_error("experiment " + id + ": iteration " + std::to_string(n + 1) + " is missing");
      engine::IterationRecord rec = engine::decode_iteration(*bytes);
      curve.push_back(curve_point(state->summaries[n], rec));
      for (const engine::ArmRecord& a : rec.arms)
        if (!best_batch.count(a.id) || a.batch_score > best_batch[a.id]) best_batch[a.id] = a.batch_score;
      if (n == 0) first = rec;
      latest = std::move(rec);
    }
  }
  j["curve"] = curve;
  j["lineage"] = state ? lineage_json(*state, best_batch) : ordered_json::array();
  j["final_id"] = state ? state->final_id : "";
  j["latest"] = latest ? latest_json(*latest) : ordered_json(nullptr);
  // Gain so far: the best batch score of the latest iteration over I0's in
  // the first (the training-set view; the held-out gain follows below).
  j["gain_so_far"] = nullptr;
  if (first && latest && state && !state->summaries.empty())
    for (const engine::ArmRecord& a : first->arms)
      if (a.id == "i0") j["gain_so_far"] = state->summaries.back().best - a.batch_score;
  std::optional<std::string> eval_bytes = store.load_evaluation();
  j["evaluation"] = nullptr;
  if (eval_bytes) {
    const engine::EvaluationResult e = engine::decode_evaluation(*eval_bytes);
    j["images"] = images_from_evaluation(e);
    const engine::MethodResult* base = e.find("baseline");
    const engine::MethodResult* opt = e.find("optimized");
    if (base && opt) j["evaluation"] = {{"gain_over_i0", opt->mean - base->mean}};
  } else {
    j["images"] = latest ? images_from_iteration(*latest) : ordered_json(nullptr);
  }
  return j;
}

}  // namespace bigpe::serve
