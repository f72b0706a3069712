#include "scheduler/serve/campaign_json.h"

#include <map>

#include "scheduler/report/campaign_summary.h"
#include "scheduler/report/judge_gains.h"
#include "scheduler/report/experiment_view.h"
#include "scheduler/serve/experiment_json.h"
#include "scheduler/stats/repeat_interval.h"
#include "scheduler/store/campaign_store.h"

namespace bigpe::serve {

using nlohmann::ordered_json;

namespace {

ordered_json interval_json(const engine::RepeatInterval& r) {
  if (!r.n) return nullptr;
  ordered_json j = {{"mean", r.mean}, {"n", r.n}, {"few", r.few()}};
  j["low"] = r.has_interval() ? ordered_json(r.low) : ordered_json(nullptr);
  j["high"] = r.has_interval() ? ordered_json(r.high) : ordered_json(nullptr);
  return j;
}

ordered_json interval_of(const std::vector<double>& values) {
  return values.empty() ? ordered_json(nullptr) : interval_json(engine::repeat_interval(values));
}

// The campaign's judge table (judge_gains.h), as summary.md has it.
ordered_json judges_json(const std::vector<engine::ExperimentSummary>& rows) {
  ordered_json out = ordered_json::array();
  for (const engine::JudgeGainRow& r : engine::judge_gain_rows(rows)) {
    ordered_json j = {{"variant", r.variant}, {"optimized_scorer", r.optimized_scorer}, {"judge", r.judge}};
    j["optimized_gain"] = interval_json(r.optimized_gain);
    j["judge_gain"] = interval_json(r.judge_gain);
    j["judge_minus_optimized"] = interval_json(r.difference);
    j["share"] = engine::share_meaningful(r) ? ordered_json(r.share) : ordered_json(nullptr);
    out.push_back(j);
  }
  return out;
}

ordered_json campaign_head(const engine::CampaignRecord& rec, bool owner_gone,
                           const std::vector<engine::ExperimentView>& views) {
  int done = 0, total = 0, finished = 0, planned = 0, unstarted = 0;
  long renders = 0, cached = 0, scored = 0;
  double progress = 0.0;  // the members' mean (unstarted ones at 0)
  for (const engine::ExperimentView& v : views) {
    if (v.status != "not started") progress += v.progress();
    done += v.iterations_done;
    total += v.iterations;
    planned = std::max(planned, v.iterations);
    renders += v.renders_done;
    cached += v.renders_cached;
    scored += v.renders_scored;
    if (v.status == "finished") ++finished;
    if (v.status == "not started") ++unstarted;
  }
  total += unstarted * planned;  // as `bigpe status`: unstarted members have no config yet
  std::string status = rec.status;
  if (owner_gone && status == "running") status = "killed";
  return {{"id", rec.campaign_id},
          {"name", rec.name},
          {"status", status},
          {"reason", rec.reason},
          {"created", rec.created},
          {"experiments", rec.experiments.size()},
          {"finished", finished},
          {"iterations_done", done},
          {"iterations", total},
          {"progress", views.empty() ? 0.0 : progress / static_cast<double>(views.size())},
          {"renders_done", renders},
          {"renders_cached", cached},
          {"renders_scored", scored}};
}

std::vector<engine::ExperimentView> member_views(RedisClient& redis, const engine::CampaignRecord& rec,
                                                 bool owner_gone) {
  std::vector<engine::ExperimentView> views;
  for (const engine::CampaignMember& m : rec.experiments) {
    engine::ExperimentView v = engine::view_of(redis, m.experiment_id, owner_gone);
    if (v.status == "not started") v.label = m.variant + ".r" + std::to_string(m.repeat);
    v.campaign_id = rec.campaign_id;
    views.push_back(v);
  }
  return views;
}

}  // namespace

ordered_json campaigns_json(RedisClient& redis, bool owner_gone) {
  ordered_json out = ordered_json::array();
  for (const std::string& id : engine::CampaignStore::list(redis)) {
    std::optional<engine::CampaignRecord> rec = engine::CampaignStore(redis, id).load();
    if (!rec) continue;
    const std::vector<engine::ExperimentView> views = member_views(redis, *rec, owner_gone);
    ordered_json c = campaign_head(*rec, owner_gone, views);
    ordered_json members = ordered_json::array();
    for (const engine::ExperimentView& v : views) members.push_back(experiment_summary_json(v));
    c["members"] = members;
    out.push_back(c);
  }
  return out;
}

std::optional<ordered_json> campaign_detail_json(RedisClient& redis, const std::string& id, bool owner_gone) {
  std::optional<engine::CampaignRecord> rec = engine::CampaignStore(redis, id).load();
  if (!rec) return std::nullopt;
  const std::vector<engine::ExperimentView> views = member_views(redis, *rec, owner_gone);
  ordered_json j = campaign_head(*rec, owner_gone, views);
  const std::vector<engine::ExperimentSummary> rows = engine::collect_summaries(redis, rec->experiments);
  struct Columns {
    std::vector<double> initial, last, heldout, gain_i0, gain_pro;
    int repeats = 0;
  };
  std::vector<std::string> order;
  std::map<std::string, Columns> by_variant;
  ordered_json experiments = ordered_json::array();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const engine::ExperimentSummary& r = rows[i];
    if (!by_variant.count(r.member.variant)) order.push_back(r.member.variant);
    Columns& c = by_variant[r.member.variant];
    ++c.repeats;
    if (r.iterations > 0) {
      c.initial.push_back(r.first_best);
      c.last.push_back(r.last_best);
    }
    if (r.evaluated) {
      c.heldout.push_back(r.optimized);
      c.gain_i0.push_back(r.gain_over_baseline);
      c.gain_pro.push_back(r.gain_over_professional);
    }
    ordered_json e = i < views.size() ? experiment_summary_json(views[i]) : ordered_json::object();
    e["variant"] = r.member.variant;
    e["repeat"] = r.member.repeat;
    e["evaluated"] = r.evaluated;
    experiments.push_back(e);
  }
  ordered_json grid = ordered_json::array();
  for (const std::string& name : order) {
    const Columns& c = by_variant[name];
    grid.push_back({{"variant", name},
                    {"repeats", c.repeats},
                    {"initial", interval_of(c.initial)},
                    {"last", interval_of(c.last)},
                    {"heldout", interval_of(c.heldout)},
                    {"gain_over_i0", interval_of(c.gain_i0)},
                    {"gain_over_professional", interval_of(c.gain_pro)}});
  }
  j["grid"] = grid;
  j["judges"] = judges_json(rows);
  j["members"] = experiments;
  return j;
}

}  // namespace bigpe::serve
