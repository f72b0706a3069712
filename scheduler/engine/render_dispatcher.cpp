#include "scheduler/engine/render_dispatcher.h"

#include <spdlog/spdlog.h>

#include <map>
#include <unordered_map>

#include "common/content_hash.h"
#include "scheduler/engine/interrupt.h"
#include "worker/runtime/result_cache.h"

namespace bigpe::engine {

RenderDispatcher::RenderDispatcher(broker::BrokerClient& client, RedisClient& redis,
                                   DispatchSettings settings)
    : client_(client), redis_(redis), settings_(std::move(settings)) {}

std::string RenderDispatcher::key_of(const RenderJob& job) const {
  return result_key(settings_.service, job.prompt, job.score_text, job.seed, settings_.params);
}

std::vector<RenderOutcome> RenderDispatcher::run(const std::vector<RenderJob>& jobs) {
  // Merge jobs by key, keeping first-seen order so task ids are stable.
  std::vector<std::string> keys(jobs.size());
  std::vector<std::size_t> unique_jobs;
  std::unordered_map<std::string, std::size_t> first_index;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    keys[i] = key_of(jobs[i]);
    if (first_index.emplace(keys[i], i).second) unique_jobs.push_back(i);
  }

  std::unordered_map<std::string, RenderOutcome> outcomes;
  std::vector<std::string> unique_keys;
  for (std::size_t i : unique_jobs) unique_keys.push_back(keys[i]);
  ResultCache cache(redis_);
  std::vector<std::optional<schemas::ResultRecord>> hits = cache.lookup(unique_keys);
  std::vector<std::size_t> missing;
  for (std::size_t u = 0; u < unique_jobs.size(); ++u) {
    if (hits[u]) {
      outcomes[unique_keys[u]] = RenderOutcome{hits[u]->score, unique_keys[u], hits[u]->image_uri, true};
      ++renders_cached_;
    } else {
      missing.push_back(unique_jobs[u]);
    }
  }

  // Pack the misses into tasks.
  std::vector<schemas::TaskEnvelope> tasks;
  const std::size_t per_task = static_cast<std::size_t>(std::max(1, settings_.items_per_task));
  for (std::size_t start = 0; start < missing.size(); start += per_task) {
    schemas::RenderTask task;
    task.experiment_id = settings_.experiment_id;
    task.service = settings_.service;
    task.params = settings_.params;
    std::string id_material;
    for (std::size_t m = start; m < std::min(missing.size(), start + per_task); ++m) {
      const RenderJob& job = jobs[missing[m]];
      task.items.push_back({job.prompt, job.score_text, job.seed, keys[missing[m]]});
      id_material += keys[missing[m]];
    }
    schemas::TaskEnvelope env;
    env.task_id = settings_.experiment_id + ":" + sha256_hex(id_material).substr(0, 24);
    env.experiment_id = settings_.experiment_id;
    env.service = settings_.service;
    env.body = schemas::encode(task);
    tasks.push_back(std::move(env));
  }

  if (!tasks.empty()) {
    client_.submit(tasks);
    std::size_t pending = tasks.size();
    std::vector<std::string> failures;
    while (pending > 0) {
      if (interrupted()) throw Interrupted();
      for (const broker::BrokerClient::Event& ev : client_.poll(std::chrono::milliseconds(200))) {
        if (ev.kind == broker::BrokerClient::Event::Kind::kFailed) {
          std::string reasons;
          for (const std::string& r : ev.failed.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
          failures.push_back("task " + ev.failed.task_id + " failed after " +
                             std::to_string(ev.failed.attempts) + " attempts: " +
                             (reasons.empty() ? ev.failed.reason : reasons));
          --pending;
          continue;
        }
        schemas::RenderResult result;
        try {
          result = schemas::decode_render_result(ev.result.body);
        } catch (const std::exception& e) {
          failures.push_back("task " + ev.result.task_id + ": undecodable result: " + e.what());
          --pending;
          continue;
        }
        for (const schemas::ItemResult& item : result.items) {
          outcomes[item.key] = RenderOutcome{item.score, item.key, item.image_uri, item.cached};
          if (item.cached)
            ++renders_cached_;
          else
            ++renders_done_;
        }
        --pending;
      }
    }
    if (!failures.empty()) {
      std::string all;
      for (const std::string& f : failures) all += (all.empty() ? "" : "\n  ") + f;
      throw RenderFailed(std::to_string(failures.size()) + " render task(s) failed:\n  " + all);
    }
  }

  std::vector<RenderOutcome> out;
  out.reserve(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    auto it = outcomes.find(keys[i]);
    if (it == outcomes.end())
      throw RenderFailed("no result for prompt '" + jobs[i].prompt + "' (key " + keys[i] + ")");
    out.push_back(it->second);
  }
  return out;
}

}  // namespace bigpe::engine
