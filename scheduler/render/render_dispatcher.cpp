#include "scheduler/render/render_dispatcher.h"

#include <spdlog/spdlog.h>

#include "broker/status_text.h"
#include "common/content_hash.h"
#include "common/interrupt.h"
#include "schemas/prompt_limit.h"
#include "common/redis/result_cache.h"

namespace bigpe::engine {

RenderDispatcher::RenderDispatcher(broker::BrokerClient& client, RedisClient& redis,
                                   DispatchSettings settings)
    : client_(client), redis_(redis), settings_(std::move(settings)) {}

std::string RenderDispatcher::key_of(const RenderJob& job) const {
  return result_key(settings_.service, settings_.identity, job.prompt, job.score_text, job.seed,
                    settings_.params);
}

RenderOutcome RenderDispatcher::outcome_of(const std::string& key, double score, const schemas::ScoreMap& scores,
                                           const std::string& image_uri, bool cached, std::string& why) const {
  RenderOutcome o{score, key, image_uri, cached, {}};
  if (settings_.scorers.empty()) return o;
  o.scores = scores_of(score, scores, settings_.scorers.front());
  if (settings_.optimize.is_default()) return o;
  if (std::optional<double> v = settings_.optimize.value(o.scores)) {
    o.score = *v;
  } else {
    std::string have;
    for (const auto& [name, value] : o.scores) have += (have.empty() ? "" : ", ") + name;
    why = "score.optimize needs a score of scorer '" + settings_.optimize.missing(o.scores) +
          "', and the result of " + key + " has scores of: " + have +
          " (the workers' --scorer list must include it)";
  }
  return o;
}

void RenderDispatcher::check_prompts(const std::vector<RenderJob>& jobs) const {
  for (const RenderJob& job : jobs) {
    if (auto why = prompt_limit_violation(job.prompt, settings_.max_prompt_chars))
      throw RenderFailed("render refused at submission: " + *why + "; the prompt begins \"" +
                         job.prompt.substr(0, 60) + "...\"");
  }
}

void RenderDispatcher::top_up() {
  const std::size_t bound = settings_.max_in_flight == 0 ? SIZE_MAX : settings_.max_in_flight;
  std::vector<schemas::TaskEnvelope> batch;
  std::size_t in_flight = client_.in_flight();
  while (!waiting_.empty() && in_flight + batch.size() < bound) {
    batch.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  if (!batch.empty()) client_.submit(batch);
}

void RenderDispatcher::submit_missing(const std::vector<RenderJob>& jobs,
                                      const std::vector<std::string>& keys, bool urgent) {
  // Unknown keys, first-seen order so task ids are stable.
  std::vector<std::size_t> unknown;
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (!done_.count(keys[i]) && !pending_.count(keys[i]) && seen.insert(keys[i]).second)
      unknown.push_back(i);
  if (unknown.empty()) return;

  std::vector<std::string> lookup_keys;
  for (std::size_t i : unknown) lookup_keys.push_back(keys[i]);
  ResultCache cache(redis_);
  std::vector<std::optional<schemas::ResultRecord>> hits = cache.lookup(lookup_keys);
  std::vector<std::size_t> missing;
  for (std::size_t u = 0; u < unknown.size(); ++u) {
    std::string why;
    if (hits[u]) {
      RenderOutcome o = outcome_of(lookup_keys[u], hits[u]->score, hits[u]->scores, hits[u]->image_uri, true, why);
      if (!why.empty()) throw RenderFailed(why);
      done_[lookup_keys[u]] = std::move(o);
    } else {
      missing.push_back(unknown[u]);
    }
  }

  std::vector<schemas::TaskEnvelope> tasks;
  const std::size_t per_task = static_cast<std::size_t>(std::max(1, settings_.items_per_task));
  for (std::size_t start = 0; start < missing.size(); start += per_task) {
    schemas::RenderTask task;
    task.experiment_id = settings_.experiment_id;
    task.service = settings_.service;
    task.identity = settings_.identity;
    task.params = settings_.params;
    std::string id_material;
    std::vector<std::string> task_keys;
    for (std::size_t m = start; m < std::min(missing.size(), start + per_task); ++m) {
      const RenderJob& job = jobs[missing[m]];
      const std::string& key = keys[missing[m]];
      task.items.push_back({job.prompt, job.score_text, job.seed, key});
      id_material += key;
      task_keys.push_back(key);
      pending_.insert(key);
    }
    schemas::TaskEnvelope env;
    env.task_id = settings_.experiment_id + ":" + sha256_hex(id_material).substr(0, 24);
    env.experiment_id = settings_.experiment_id;
    env.service = settings_.service;
    env.identity = settings_.identity;
    env.body = schemas::encode(task);
    task_keys_[env.task_id] = std::move(task_keys);
    tasks.push_back(std::move(env));
  }
  if (urgent)
    waiting_.insert(waiting_.begin(), std::make_move_iterator(tasks.begin()),
                    std::make_move_iterator(tasks.end()));
  else
    waiting_.insert(waiting_.end(), std::make_move_iterator(tasks.begin()),
                    std::make_move_iterator(tasks.end()));
  top_up();
}

std::size_t RenderDispatcher::handle_events(std::chrono::milliseconds timeout) {
  std::vector<broker::BrokerClient::Event> events = client_.poll(timeout);
  for (const broker::BrokerClient::Event& ev : events) {
    const std::string& task_id = ev.kind == broker::BrokerClient::Event::Kind::kFailed
                                     ? ev.failed.task_id
                                     : ev.result.task_id;
    auto keys_it = task_keys_.find(task_id);
    if (keys_it == task_keys_.end()) {
      spdlog::warn("result for unknown task {} ignored", task_id);
      continue;
    }
    std::vector<std::string> keys = std::move(keys_it->second);
    task_keys_.erase(keys_it);
    for (const std::string& k : keys) pending_.erase(k);

    std::string failure;
    if (ev.kind == broker::BrokerClient::Event::Kind::kFailed) {
      std::string reasons;
      for (const std::string& r : ev.failed.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
      failure = "task " + task_id + " failed after " + std::to_string(ev.failed.attempts) +
                " attempts: " + (reasons.empty() ? ev.failed.reason : reasons);
    } else {
      try {
        schemas::RenderResult result = schemas::decode_render_result(ev.result.body);
        for (const schemas::ItemResult& item : result.items) {
          std::string why;
          RenderOutcome o = outcome_of(item.key, item.score, item.scores, item.image_uri, item.cached, why);
          o.scored_only = item.scored_only();
          if (!item.cached) {
            busy_ms_ += item.render_ms + item.score_ms;
            if (settings_.on_rendered) settings_.on_rendered(result.worker_id, item.render_ms + item.score_ms);
          }
          if (!why.empty()) {
            failure = "task " + task_id + ": " + why;
            continue;
          }
          done_[item.key] = std::move(o);
        }
      } catch (const std::exception& e) {
        failure = "task " + task_id + ": undecodable result: " + e.what();
      }
    }
    for (const std::string& k : keys)
      if (!done_.count(k)) failed_[k] = failure.empty() ? "task " + task_id + ": no result for item" : failure;
  }
  top_up();
  return events.size();
}

void RenderDispatcher::warn_quiet(std::chrono::milliseconds silent_for) {
  const std::string head = fmt::format("render.service '{}': no result for {:.1f} s, {} tasks waiting; ",
                                       settings_.service, silent_for.count() / 1000.0, client_.in_flight());
  try {
    schemas::StatusReply status = client_.status(std::chrono::milliseconds(2000));
    spdlog::warn("{}{}", head, broker::service_coverage(status, settings_.service));
  } catch (const std::exception& e) {
    spdlog::warn("{}the broker does not answer STATUS ({})", head, e.what());
  }
}

void RenderDispatcher::prefetch(const std::vector<RenderJob>& jobs) {
  std::vector<std::string> keys;
  check_prompts(jobs);
  for (const RenderJob& j : jobs) keys.push_back(key_of(j));
  submit_missing(jobs, keys, false);
}

void RenderDispatcher::pump() { handle_events(std::chrono::milliseconds(0)); }

std::vector<RenderOutcome> RenderDispatcher::run(const std::vector<RenderJob>& jobs) {
  check_prompts(jobs);
  std::vector<std::string> keys;
  for (const RenderJob& j : jobs) keys.push_back(key_of(j));
  // A key that failed before is tried again: the failure may have passed.
  for (const std::string& k : keys) failed_.erase(k);
  submit_missing(jobs, keys, true);

  auto outstanding = [&] {
    for (const std::string& k : keys)
      if (!done_.count(k) && !failed_.count(k)) return true;
    return false;
  };
  const auto wait_start = std::chrono::steady_clock::now();
  auto last_heard = wait_start;
  auto warn_after = settings_.quiet_warning_after;
  while (outstanding()) {
    if (interrupted()) throw Interrupted();
    if (settings_.dependency_lost)
      if (std::string why = settings_.dependency_lost(); !why.empty()) throw std::runtime_error(why);
    const auto poll = std::min(std::chrono::milliseconds(200), settings_.quiet_warning_after);
    const auto now = std::chrono::steady_clock::now();
    if (handle_events(poll) > 0) {
      last_heard = now;
      warn_after = settings_.quiet_warning_after;
    } else if (now - last_heard >= warn_after) {
      warn_quiet(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_heard));
      warn_after += settings_.quiet_warning_repeat;
    }
  }
  wait_ms_ += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wait_start).count();

  std::vector<std::string> failures;
  std::unordered_set<std::string> reported;
  for (const std::string& k : keys) {
    auto f = failed_.find(k);
    if (f != failed_.end() && reported.insert(f->second).second) failures.push_back(f->second);
  }
  if (!failures.empty()) {
    std::string all;
    for (const std::string& f : failures) all += "\n  " + f;
    throw RenderFailed(std::to_string(failures.size()) + " render task(s) failed:" + all);
  }

  std::vector<RenderOutcome> out;
  out.reserve(jobs.size());
  for (const std::string& k : keys) {
    const RenderOutcome& o = done_.at(k);
    // Counted when first delivered, not when looked up or received: a
    // prefetched render then counts in the same iteration whether the
    // cache had it (known at prefetch) or a worker made it (known later).
    if (counted_.insert(k).second) ++(o.cached ? renders_cached_ : o.scored_only ? renders_scored_ : renders_done_);
    out.push_back(o);
  }
  return out;
}

}  // namespace bigpe::engine
