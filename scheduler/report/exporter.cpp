#include "scheduler/report/exporter.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>

#include "common/json_strict.h"
#include "scheduler/store/campaign_folder.h"
#include "scheduler/store/campaign_store.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/experiment/iteration_record.h"
#include "scheduler/render/score_target.h"
#include "scheduler/store/state_store.h"
#include "scheduler/store/store_access.h"

namespace fs = std::filesystem;

namespace bigpe::engine {
namespace {

using nlohmann::ordered_json;

ordered_json interval_json(const MethodResult& m) {
  ordered_json v = ordered_json::object();
  v["mean"] = m.mean;
  v["low"] = m.ci_low;
  v["high"] = m.ci_high;
  v["n"] = static_cast<int64_t>(m.n);
  return v;
}

// {"methods": {method: interval}, "gains": {method: its gain over baseline}}.
ordered_json eval_intervals(const EvaluationResult& e) {
  ordered_json methods = ordered_json::object(), gains = ordered_json::object();
  const MethodResult* base = e.find("baseline");
  for (const MethodResult& m : e.methods) {
    methods[m.method] = interval_json(m);
    if (base && m.method != "baseline") gains[m.method] = interval_json(paired_difference(m, *base, m.method));
  }
  ordered_json out = ordered_json::object();
  out["methods"] = methods;
  out["gains"] = gains;
  return out;
}

// The optimized score's intervals, and each judge's under "judges".
ordered_json eval_intervals_with_judges(const EvaluationResult& e) {
  ordered_json out = eval_intervals(e);
  if (e.judges.empty()) return out;
  ordered_json judges = ordered_json::object();
  for (const JudgeResult& j : e.judges) judges[j.judge] = eval_intervals(e.judged_by(j.judge));
  out["judges"] = judges;
  return out;
}


ordered_json strings(const std::vector<std::string>& v) {
  ordered_json a = ordered_json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}

ordered_json numbers(const std::vector<double>& v) {
  ordered_json a = ordered_json::array();
  for (double d : v) a.push_back(d);
  return a;
}

class JsonlFile {
 public:
  explicit JsonlFile(const std::string& path) : path_(path), f_(path, std::ios::trunc | std::ios::binary) {
    if (!f_) throw std::runtime_error("cannot write " + path);
  }
  void write(const ordered_json& row) {
    f_ << json::dump_strict(row) << "\n";
    ++rows_;
  }
  std::size_t close() {
    f_.flush();
    if (!f_) throw std::runtime_error("cannot write " + path_);
    return rows_;
  }

 private:
  std::string path_;
  std::ofstream f_;
  std::size_t rows_ = 0;
};

// Where the image a worker wrote lives now: the stored path when it still
// exists, else the same file name under the folder's images/ (the folder
// may have moved since).
std::string find_image(const std::string& uri, const std::string& infra_folder) {
  std::error_code ec;
  if (uri.empty()) return "";
  if (fs::exists(uri, ec)) return uri;
  if (infra_folder.empty()) return "";
  const std::string name = fs::path(uri).filename().string();
  const fs::path root = fs::path(infra_folder) / "images";
  if (!fs::is_directory(root, ec)) return "";
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    fs::path candidate = entry.path() / name;
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return "";
}

struct Exporter {
  RedisClient& redis;
  const ExportRequest& req;
  std::string infra_folder;
  JsonlFile experiments, iterations, instructions, evaluation;
  std::size_t images_copied = 0, images_missing = 0;

  Exporter(RedisClient& r, const ExportRequest& q, std::string folder)
      : redis(r),
        req(q),
        infra_folder(std::move(folder)),
        experiments(q.out_dir + "/experiments.jsonl"),
        iterations(q.out_dir + "/iterations.jsonl"),
        instructions(q.out_dir + "/instructions.jsonl"),
        evaluation(q.out_dir + "/evaluation.jsonl") {}

  std::string copy_image(const std::string& experiment_id, const std::string& uri) {
    if (!req.images || uri.empty()) return "";
    const std::string from = find_image(uri, infra_folder);
    if (from.empty()) {
      ++images_missing;
      return "";
    }
    const std::string rel = "images/" + experiment_id + "/" + fs::path(from).filename().string();
    const fs::path to = fs::path(req.out_dir) / rel;
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    if (!fs::exists(to, ec)) {
      fs::copy_file(from, to, ec);
      if (ec) throw std::runtime_error("cannot copy " + from + " to " + to.string() + ": " + ec.message());
      ++images_copied;
    }
    return rel;
  }

  void experiment(const std::string& id) {
    StateStore store(redis, id);
    if (!store.exists()) throw std::runtime_error("no experiment " + id + " in this Redis");
    if (req.force) {
      // An earlier export's images of this experiment go, so none outlives
      // the rows that referenced it.
      std::error_code ec;
      fs::remove_all(fs::path(req.out_dir) / "images" / id, ec);
      if (ec) throw std::runtime_error("cannot remove " + req.out_dir + "/images/" + id + ": " + ec.message());
    }
    std::map<std::string, std::string> meta = store.load_meta();
    std::map<std::string, std::string> config = store.load_config_values();
    ExperimentState state = store.load_state().value_or(ExperimentState{});

    ordered_json row = ordered_json::object();
    row["experiment_id"] = id;
    row["campaign_id"] = meta["campaign_id"];
    row["variant"] = meta.count("variant") && !meta["variant"].empty() ? meta["variant"] : config["name"];
    row["repeat"] = static_cast<int64_t>(meta.count("repeat") && !meta["repeat"].empty() ? std::stoll(meta["repeat"]) : 0);
    ordered_json cfg = ordered_json::object();
    for (const auto& [k, v] : config) cfg[k] = v;
    row["config"] = cfg;
    row["config_hash"] = meta["config_hash"];
    row["status"] = meta["status"];
    auto fin = state.instructions.find(state.final_id);
    row["final_instruction"] = fin == state.instructions.end() ? "" : fin->second.text;
    row["iterations"] = static_cast<int64_t>(state.summaries.size());
    // The run's own intervals over its cells (and each method's paired gain
    // over the baseline), so that scripts/aggregate shows one experiment's
    // figures with exactly the intervals `bigpe run` printed.
    const std::optional<std::string> eval_bytes = store.load_evaluation();
    std::optional<EvaluationResult> eval;
    if (eval_bytes) eval = decode_evaluation(*eval_bytes);
    // What the loop optimized and which judges only watched, so a table
    // can name both (score_target.h).
    row["optimized_scorer"] = optimized_score_label(config["score.optimize"], config["score.scorers"],
                                                    config["render.backend"]);
    ordered_json judge_names = ordered_json::array();
    if (eval)
      for (const JudgeResult& j : eval->judges) judge_names.push_back(j.judge);
    row["judges"] = judge_names;
    if (eval) row["eval_intervals"] = eval_intervals_with_judges(*eval);
    experiments.write(row);

    std::map<std::string, double> best_batch;  // instruction id -> its best batch score
    for (std::size_t n = 0; n < state.summaries.size(); ++n) {
      std::optional<std::string> bytes = store.load_iteration(static_cast<int>(n));
      if (!bytes) throw std::runtime_error("experiment " + id + ": iteration " + std::to_string(n + 1) + " is missing");
      IterationRecord rec = decode_iteration(*bytes);
      ordered_json it = ordered_json::object();
      it["experiment_id"] = id;
      it["iteration"] = static_cast<int64_t>(n + 1);
      it["best"] = state.summaries[n].best;
      it["mean"] = state.summaries[n].mean;
      it["renders"] = static_cast<int64_t>(state.summaries[n].renders_spent);
      it["queries"] = strings(rec.queries);
      ordered_json arms = ordered_json::array();
      for (const ArmRecord& a : rec.arms) {
        ordered_json av = ordered_json::object();
        av["id"] = a.id;
        av["text"] = a.text;
        av["prompts"] = strings(a.prompts);
        av["scores"] = numbers(a.scores);
        av["batch_score"] = a.batch_score;
        arms.push_back(av);
        auto [at, fresh] = best_batch.emplace(a.id, a.batch_score);
        if (!fresh) at->second = std::max(at->second, a.batch_score);
      }
      it["arms"] = arms;
      ordered_json pros = ordered_json::array();
      for (const ProfessionalRecord& p : rec.professional) {
        ordered_json pv = ordered_json::object();
        pv["query"] = p.query;
        pv["prompt"] = p.prompt;
        pv["score"] = p.score;
        pros.push_back(pv);
      }
      it["professional"] = pros;
      it["selected"] = strings(rec.selected);
      it["i_low"] = rec.i_low;
      it["pairs"] = static_cast<int64_t>(rec.pairs);
      it["gradient_text"] = rec.gradient_text;
      it["improvements"] = strings(rec.improvements);
      it["children"] = strings(rec.children);
      iterations.write(it);
    }

    for (const auto& [iid, r] : state.instructions) {
      ordered_json iv = ordered_json::object();
      iv["experiment_id"] = id;
      iv["id"] = iid;
      iv["text"] = r.text;
      iv["parent"] = r.parent;
      iv["born"] = static_cast<int64_t>(r.born < 0 ? 0 : r.born + 1);
      iv["improvement"] = r.improvement;
      // Its record in the selector's statistics (keyed by text, as the
      // selector keys them); null where it was never rendered.
      auto h = state.history.find(r.text);
      const std::size_t n = h == state.history.end() ? 0 : h->second.scores.size();
      iv["score_n"] = static_cast<int64_t>(n);
      iv["score_mean"] = n ? ordered_json(h->second.mean()) : ordered_json(nullptr);
      auto b = best_batch.find(iid);
      iv["score_best"] = b == best_batch.end() ? ordered_json(nullptr) : ordered_json(b->second);
      instructions.write(iv);
    }

    if (eval) {
      const EvaluationResult& e = *eval;
      for (std::size_t k = 0; k < e.methods.size(); ++k) {
        const MethodResult& m = e.methods[k];
        for (std::size_t c = 0; c < m.values.size(); ++c) {
          ordered_json ev = ordered_json::object();
          ev["experiment_id"] = id;
          ev["method"] = m.method;
          ev["instruction"] = m.instruction;
          ev["query"] = e.query_of(c);
          ev["seed"] = static_cast<int64_t>(e.seed_of(c));
          ev["score"] = m.values[c];
          ev["prompt"] = c < m.prompts.size() ? m.prompts[c] : "";
          ev["image"] = copy_image(id, c < m.images.size() ? m.images[c] : "");
          // Each judge's score of the same image (its methods are in the
          // same order as the optimized ones).
          if (!e.judges.empty()) {
            ordered_json js = ordered_json::object();
            for (const JudgeResult& j : e.judges)
              if (k < j.methods.size() && c < j.methods[k].values.size()) js[j.judge] = j.methods[k].values[c];
            ev["judges"] = js;
          }
          evaluation.write(ev);
        }
      }
    }
  }
};

int run_export_checked(const ExportRequest& req, std::ostream& out) {
  if (req.out_dir.empty()) throw std::runtime_error("--out DIR is required");
  TargetFolder t = resolve_target(req.target);
  std::unique_ptr<StoreHandle> handle;
  if (!req.redis_url.empty())
    handle = open_url_store(req.redis_url);
  else if (t.kind == TargetFolder::Kind::kId)
    throw std::runtime_error(req.target + ": not a run or campaign folder; to export by id give --redis URL");
  else
    handle = open_folder_store(t.infra_folder, t.redis_setting);
  RedisClient redis(handle->redis);

  std::vector<std::string> ids;
  std::string campaign_id;
  if (t.kind == TargetFolder::Kind::kCampaign) {
    campaign_id = t.id;
  } else if (t.kind == TargetFolder::Kind::kId && CampaignStore(redis, t.id).exists()) {
    campaign_id = t.id;
  }
  if (!campaign_id.empty()) {
    std::optional<CampaignRecord> c = CampaignStore(redis, campaign_id).load();
    if (!c) throw std::runtime_error("campaign " + campaign_id + " is not in this Redis (has it started?)");
    for (const CampaignMember& m : c->experiments) ids.push_back(m.experiment_id);
  } else {
    ids.push_back(t.id);
  }

  std::error_code ec;
  if (fs::exists(req.out_dir, ec)) {
    if (!fs::is_directory(req.out_dir, ec)) throw std::runtime_error("--out " + req.out_dir + ": not a folder");
    if (!fs::is_empty(req.out_dir, ec) && !req.force)
      throw std::runtime_error("--out " + req.out_dir +
                               ": the folder is not empty (an earlier export?); give another --out, or --force to "
                               "overwrite the export in it");
  }
  fs::create_directories(req.out_dir, ec);
  if (ec) throw std::runtime_error("cannot create " + req.out_dir + ": " + ec.message());
  Exporter ex(redis, req, t.infra_folder);
  std::size_t skipped = 0;
  for (const std::string& id : ids) {
    // A campaign's unstarted experiments have no records yet.
    if (!campaign_id.empty() && !StateStore(redis, id).exists()) {
      ++skipped;
      continue;
    }
    ex.experiment(id);
  }
  const std::size_t n_exp = ex.experiments.close(), n_it = ex.iterations.close();
  const std::size_t n_in = ex.instructions.close(), n_ev = ex.evaluation.close();
  out << "exported " << n_exp << " experiments (" << n_it << " iterations, " << n_in << " instructions, " << n_ev
      << " evaluation cells, " << ex.images_copied << " images";
  if (ex.images_missing) out << ", " << ex.images_missing << " images not found";
  if (skipped) out << "; " << skipped << " experiments not started yet";
  out << ") to " << req.out_dir << "\n";
  return 0;
}

}  // namespace

int run_export(const ExportRequest& request, std::ostream& out) {
  try {
    return run_export_checked(request, out);
  } catch (const std::exception& e) {
    out << "bigpe export: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace bigpe::engine
