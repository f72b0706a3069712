#include "worker/task_executor.h"

#include <chrono>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "schemas/render_task.h"
#include "schemas/prompt_limit.h"
#include "worker/task_executor_job.h"

namespace bigpe {

TaskExecutor::TaskExecutor(std::string worker_id, Renderer& renderer, Scorer& scorer, ResultCache* cache,
                           const ArtifactStore* artifacts, std::size_t max_prompt_chars)
    : TaskExecutor(std::move(worker_id), renderer, std::vector<Scorer*>{&scorer}, cache, artifacts,
                   max_prompt_chars) {}

TaskExecutor::TaskExecutor(std::string worker_id, Renderer& renderer, std::vector<Scorer*> scorers,
                           ResultCache* cache, const ArtifactStore* artifacts, std::size_t max_prompt_chars)
    : worker_id_(std::move(worker_id)), renderer_(renderer), scorers_(renderer, std::move(scorers)), cache_(cache),
      artifacts_(artifacts), max_prompt_chars_(max_prompt_chars) {
  for (std::string& n : renderer_.option_names()) known_options_.insert(std::move(n));
  for (const std::string& n : scorers_.option_names()) known_options_.insert(n);
}

std::optional<std::string> TaskExecutor::unknown_option(const std::map<std::string, std::string>& options) const {
  for (const auto& [name, value] : options) {
    if (name.rfind("cache.", 0) == 0 || known_options_.count(name)) continue;
    auto list = [](const std::vector<std::string>& names) {
      std::string out;
      for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
      return out.empty() ? std::string("none") : out;
    };
    std::string scorers;
    for (std::size_t i = 0; i < scorers_.size(); ++i)
      scorers += "; scorer " + scorers_.at(i).name() + " reads " + list(scorers_.at(i).option_names());
    return "unknown render option '" + name + "': renderer " + renderer_.name() + " reads " +
           list(renderer_.option_names()) + scorers + "; options under 'cache.' only separate cache keys";
  }
  return std::nullopt;
}

std::vector<TaskExecutor::Outcome> TaskExecutor::run(const std::vector<schemas::Task>& tasks) {
  redis_lost_.clear();
  std::vector<Job> jobs(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    jobs[i].task = &tasks[i];
    try {
      jobs[i].render = schemas::decode_render_task(tasks[i].body);
      jobs[i].cached.resize(jobs[i].render->items.size());
      if (scorers_.several()) {
        jobs[i].parts.assign(jobs[i].cached.size(), std::vector<std::optional<schemas::ResultRecord>>(scorers_.size()));
        jobs[i].images.resize(jobs[i].cached.size());
      }
    } catch (const std::exception& e) {
      jobs[i].error = std::string("bad task body: ") + e.what();
      continue;
    }
    if (jobs[i].render->identity != identity()) {
      jobs[i].error = "task needs backend identity '" + jobs[i].render->identity + "', this worker's is '" +
                      identity() + "'";
      continue;
    }
    // Refused before the cache lookup: an over-long prompt is never
    // rendered, on this attempt or any other.
    const auto& items = jobs[i].render->items;
    for (std::size_t k = 0; k < items.size() && !jobs[i].failed(); ++k)
      if (auto why = prompt_limit_violation(items[k].prompt, max_prompt_chars_)) {
        jobs[i].error = "item " + std::to_string(k) + " refused: " + *why;
        jobs[i].permanent = true;
      }
    // So is an option no backend reads: ignored, it would be stored under a
    // cache key that claims it changed the result.
    if (!jobs[i].failed())
      if (auto why = unknown_option(jobs[i].render->params.options)) {
        jobs[i].error = *why;
        jobs[i].permanent = true;
      }
    // And params outside the renderer's limits (the ones READY advertises).
    if (!jobs[i].failed()) {
      std::vector<schemas::RenderParamProblem> problems =
          schemas::render_param_problems(jobs[i].render->params, renderer_.limits());
      for (const schemas::RenderParamProblem& p : problems)
        jobs[i].error += (jobs[i].error.empty() ? "render params refused: " : "; ") + p.field + ": " + p.message;
      jobs[i].permanent = !problems.empty();
    }
  }

  // One cache round trip for every item of every task in the batch.
  if (cache_ != nullptr) {
    std::vector<std::string> keys, image_keys;
    for (const Job& j : jobs)
      if (!j.failed()) lookup_keys(j, keys, image_keys);
    try {
      ResultCache::Lookup found = cache_->lookup(keys, image_keys);
      std::size_t k = 0, m = 0;
      for (Job& j : jobs) {
        if (j.failed()) continue;
        for (std::size_t i = 0; i < j.cached.size(); ++i) {
          j.cached[i] = std::move(found.results[k++]);
          if (!scorers_.several()) continue;
          for (auto& part : j.parts[i]) part = std::move(found.results[k++]);
          j.images[i] = std::move(found.images[m++]);
        }
      }
    } catch (const std::exception& e) {
      if (dynamic_cast<const RedisConnectionError*>(&e) != nullptr) redis_lost_ = e.what();
      for (Job& j : jobs)
        if (!j.failed()) j.error = std::string("result cache lookup failed: ") + e.what();
    }
  }

  for (Job& j : jobs)
    if (!j.failed()) scorers_.several() ? execute_several(j) : execute(j);

  // One store round trip for the whole batch, before any reply goes out.
  if (cache_ != nullptr) {
    std::vector<schemas::ResultRecord> records;
    std::vector<schemas::ImageRecord> images;
    int renders = 0;
    for (Job& j : jobs) {
      renders += j.renders;
      if (j.failed()) continue;
      for (auto& r : j.new_records) records.push_back(r);
      for (auto& r : j.new_images) images.push_back(r);
    }
    try {
      cache_->store(records, images, worker_id_, renders);
    } catch (const std::exception& e) {
      if (dynamic_cast<const RedisConnectionError*>(&e) != nullptr) redis_lost_ = e.what();
      for (Job& j : jobs)
        if (!j.failed() && (!j.new_records.empty() || !j.new_images.empty()))
          j.error = std::string("storing results failed: ") + e.what();
    }
  }

  std::vector<Outcome> out(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Job& j = jobs[i];
    Outcome& o = out[i];
    o.reply.task_id = j.task->task_id;
    o.reply.attempt = j.task->attempt;
    o.renders = j.renders;
    if (j.failed()) {
      o.reply.error = j.error;
      o.reply.permanent = j.permanent;
      // A lost Redis is the worker's failure, said once by the worker.
      if (redis_lost_.empty() || j.error.find(redis_lost_) == std::string::npos)
        spdlog::warn("worker {}: task {} attempt {} failed: {}", worker_id_, j.task->task_id,
                     j.task->attempt, j.error);
      continue;
    }
    o.items = static_cast<int>(j.items.size());
    o.cache_hits = j.hits;
    schemas::RenderResult result;
    result.task_id = j.task->task_id;
    result.worker_id = worker_id_;
    result.items = std::move(j.items);
    o.reply.body = schemas::encode(result);
  }
  return out;
}

void TaskExecutor::lookup_keys(const Job& job, std::vector<std::string>& results,
                               std::vector<std::string>& images) const {
  const schemas::RenderTask& task = *job.render;
  for (const schemas::RenderItem& it : task.items) {
    results.push_back(it.key);
    if (!scorers_.several()) continue;
    for (std::size_t s = 0; s < scorers_.size(); ++s)
      results.push_back(scorers_.score_key(s, task.service, it, task.params));
    images.push_back(scorers_.image_key(task.service, it, task.params));
  }
}

void TaskExecutor::execute(Job& job) {
  const schemas::RenderTask& task = *job.render;
  std::vector<std::size_t> misses;
  job.items.resize(task.items.size());
  for (std::size_t i = 0; i < task.items.size(); ++i) {
    schemas::ItemResult& r = job.items[i];
    r.key = task.items[i].key;
    if (const auto& rec = job.cached[i]) {
      r.score = rec->score;
      r.image_uri = rec->image_uri;
      r.render_ms = rec->render_ms;
      r.score_ms = rec->score_ms;
      r.cached = true;
      r.rendered = false;
      ++job.hits;
    } else {
      misses.push_back(i);
    }
  }
  if (misses.empty()) return;

  const char* stage = "render";
  try {
    std::vector<RenderRequest> batch;
    std::vector<std::string> texts;
    for (std::size_t i : misses) {
      batch.push_back({task.items[i].prompt, task.items[i].seed});
      texts.push_back(task.items[i].score_text);
    }
    auto t0 = Clock::now();
    std::vector<Image> images = renderer_.render(batch, task.params);
    double render_ms = ms_since(t0) / static_cast<double>(batch.size());
    if (images.size() != batch.size())
      throw std::runtime_error("renderer " + renderer_.name() + " returned " +
                               std::to_string(images.size()) + " images for " +
                               std::to_string(batch.size()) + " prompts");
    job.renders = static_cast<int>(images.size());

    stage = "score";
    t0 = Clock::now();
    std::vector<double> scores = score_checked(scorers_.at(0), images, texts, task.params);
    double score_ms = ms_since(t0) / static_cast<double>(batch.size());

    stage = "artifact";
    double now = unix_seconds();
    for (std::size_t m = 0; m < misses.size(); ++m) {
      const schemas::RenderItem& item = task.items[misses[m]];
      schemas::ItemResult& r = job.items[misses[m]];
      r.score = scores[m];
      r.rendered = true;
      r.render_ms = render_ms;
      r.score_ms = score_ms;
      if (artifacts_ != nullptr) r.image_uri = artifacts_->write(task.experiment_id, item.key, images[m]);
      schemas::ResultRecord rec;
      rec.key = item.key;
      rec.score = r.score;
      rec.image_uri = r.image_uri;
      rec.render_ms = render_ms;
      rec.score_ms = score_ms;
      rec.worker_id = worker_id_;
      rec.task_id = job.task->task_id;
      rec.service = task.service;
      rec.identity = identity();
      rec.prompt = item.prompt;
      rec.score_text = item.score_text;
      rec.seed = item.seed;
      rec.created_at = now;
      job.new_records.push_back(std::move(rec));
    }
  } catch (const std::exception& e) {
    job.error = std::string(stage) + " failed: " + e.what();
    job.new_records.clear();
  }
}

}  // namespace bigpe
