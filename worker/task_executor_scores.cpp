// TaskExecutor with several scorers: each item's image and each of its
// scores are looked up apart (schemas/README.md section 7.3), and only what
// is missing is rendered or scored.
#include <spdlog/spdlog.h>

#include "backends/backend_identity.h"
#include "backends/png_reader.h"
#include "worker/task_executor_job.h"

namespace bigpe {
namespace {

// What one item still needs, from what the lookup found.
struct ItemNeed {
  std::vector<std::optional<double>> scores;  // per scorer; set when known
  std::vector<bool> scored_now;               // per scorer: scored in this task
  std::vector<double> score_ms_each;          // per scorer
  std::optional<Image> image;                 // what the scorers that lack a score get
  bool image_known = false;                   // a record names the image
  bool image_stored = false;                  // its image record exists
  bool render = false;                        // no pixels to be had: render again
  std::string image_uri;
  std::string image_key;
  double render_ms = 0.0;
  double score_ms = 0.0;
  bool missing_any() const {
    for (const auto& s : scores)
      if (!s) return true;
    return false;
  }
};

bool has_every_score(const schemas::ResultRecord& rec, const ScorerSet& scorers) {
  for (std::size_t s = 0; s < scorers.size(); ++s)
    if (!rec.scores.count(scorers.at(s).name())) return false;
  return true;
}

}  // namespace

void TaskExecutor::execute_several(Job& job) {
  const schemas::RenderTask& task = *job.render;
  const std::size_t n = task.items.size();
  job.items.resize(n);
  std::vector<ItemNeed> need(n);
  std::vector<std::size_t> open;  // items not answered by their result record
  for (std::size_t i = 0; i < n; ++i) {
    schemas::ItemResult& r = job.items[i];
    r.key = task.items[i].key;
    if (const auto& rec = job.cached[i]; rec && has_every_score(*rec, scorers_)) {
      r.score = rec->score;
      r.scores = rec->scores;
      r.image_uri = rec->image_uri;
      r.render_ms = rec->render_ms;
      r.score_ms = rec->score_ms;
      r.cached = true;
      r.rendered = false;
      ++job.hits;
      continue;
    }
    ItemNeed& nd = need[i];
    nd.image_key = scorers_.image_key(task.service, task.items[i], task.params);
    nd.scores.resize(scorers_.size());
    nd.scored_now.assign(scorers_.size(), false);
    nd.score_ms_each.assign(scorers_.size(), 0.0);
    if (const auto& img = job.images[i]) {
      nd.image_known = nd.image_stored = true;
      nd.image_uri = img->image_uri;
      nd.render_ms = img->render_ms;
    }
    for (std::size_t s = 0; s < scorers_.size(); ++s)
      if (const auto& part = job.parts[i][s]) {
        nd.scores[s] = part->score;
        nd.score_ms_each[s] = part->score_ms;
        nd.score_ms += part->score_ms;
        if (!nd.image_known) {
          nd.image_known = true;
          nd.image_uri = part->image_uri;
          nd.render_ms = part->render_ms;
        }
      }
    open.push_back(i);
  }
  if (open.empty()) return;

  const char* stage = "read image";
  try {
    // Pixels for the scorers that lack a score: none needed when none of
    // them reads pixels (sim-v1 scores the prompt), else the stored PNG,
    // else a new render.
    for (std::size_t i : open) {
      ItemNeed& nd = need[i];
      if (!nd.missing_any()) continue;
      if (!nd.image_known) {
        nd.render = true;
        continue;
      }
      bool pixels = false;
      for (std::size_t s = 0; s < scorers_.size(); ++s) pixels |= !nd.scores[s] && scorers_.at(s).reads_pixels();
      Image image;
      if (pixels) {
        try {
          if (nd.image_uri.empty()) throw std::runtime_error("no image file was stored");
          image = read_png_file(nd.image_uri);
        } catch (const std::exception& e) {
          spdlog::debug("worker {}: item {} is rendered again to be scored: {}", worker_id_, task.items[i].key,
                        e.what());
          nd.render = true;
          continue;
        }
      }
      image.prompt = task.items[i].prompt;
      image.seed = task.items[i].seed;
      nd.image = std::move(image);
    }

    stage = "render";
    std::vector<std::size_t> to_render;
    std::vector<RenderRequest> batch;
    for (std::size_t i : open)
      if (need[i].render) {
        to_render.push_back(i);
        batch.push_back({task.items[i].prompt, task.items[i].seed});
      }
    if (!batch.empty()) {
      auto t0 = Clock::now();
      std::vector<Image> images = renderer_.render(batch, task.params);
      const double render_ms = ms_since(t0) / static_cast<double>(batch.size());
      if (images.size() != batch.size())
        throw std::runtime_error("renderer " + renderer_.name() + " returned " + std::to_string(images.size()) +
                                 " images for " + std::to_string(batch.size()) + " prompts");
      job.renders = static_cast<int>(images.size());
      stage = "artifact";
      for (std::size_t m = 0; m < to_render.size(); ++m) {
        ItemNeed& nd = need[to_render[m]];
        nd.render_ms = render_ms;
        nd.image_uri = artifacts_ != nullptr ? artifacts_->write(task.experiment_id, nd.image_key, images[m]) : "";
        nd.image = std::move(images[m]);
      }
    }

    stage = "score";
    for (std::size_t s = 0; s < scorers_.size(); ++s) {
      std::vector<std::size_t> which;
      std::vector<Image> images;
      std::vector<std::string> texts;
      for (std::size_t i : open)
        if (!need[i].scores[s]) {
          which.push_back(i);
          images.push_back(*need[i].image);
          texts.push_back(task.items[i].score_text);
        }
      if (which.empty()) continue;
      auto t0 = Clock::now();
      std::vector<double> scores = score_checked(scorers_.at(s), images, texts, task.params);
      const double score_ms = ms_since(t0) / static_cast<double>(which.size());
      for (std::size_t m = 0; m < which.size(); ++m) {
        need[which[m]].scores[s] = scores[m];
        need[which[m]].scored_now[s] = true;
        need[which[m]].score_ms_each[s] = score_ms;
        need[which[m]].score_ms += score_ms;
      }
    }
  } catch (const std::exception& e) {
    job.error = std::string(stage) + " failed: " + e.what();
    return;
  }

  const double now = unix_seconds();
  for (std::size_t i : open) {
    const schemas::RenderItem& item = task.items[i];
    ItemNeed& nd = need[i];
    schemas::ResultRecord rec;
    rec.image_uri = nd.image_uri;
    rec.render_ms = nd.render ? nd.render_ms : 0.0;
    rec.worker_id = worker_id_;
    rec.task_id = job.task->task_id;
    rec.service = task.service;
    rec.prompt = item.prompt;
    rec.score_text = item.score_text;
    rec.seed = item.seed;
    rec.created_at = now;
    bool worked = nd.render;
    // One score record per new score, in the form a worker with only that
    // scorer would have stored it.
    for (std::size_t s = 0; s < scorers_.size(); ++s) {
      rec.scores[scorers_.at(s).name()] = *nd.scores[s];
      if (!nd.scored_now[s]) continue;
      worked = true;
      schemas::ResultRecord part = rec;
      part.scores.clear();
      part.key = scorers_.score_key(s, task.service, item, task.params);
      part.score = *nd.scores[s];
      part.score_ms = nd.score_ms_each[s];
      part.identity = backend_identity(renderer_, scorers_.at(s));
      job.new_records.push_back(std::move(part));
    }
    if (!nd.image_stored) {
      schemas::ImageRecord img;
      img.key = nd.image_key;
      img.image_uri = nd.image_uri;
      img.render_ms = nd.render_ms;
      img.worker_id = worker_id_;
      img.task_id = job.task->task_id;
      img.service = task.service;
      img.identity = renderer_.identity();
      img.prompt = item.prompt;
      img.seed = item.seed;
      img.created_at = now;
      job.new_images.push_back(std::move(img));
    }
    rec.key = item.key;
    rec.score = *nd.scores[0];
    rec.score_ms = nd.score_ms;
    rec.image_key = nd.image_key;
    rec.identity = identity();
    job.new_records.push_back(rec);

    schemas::ItemResult& r = job.items[i];
    r.score = rec.score;
    r.scores = rec.scores;
    r.image_uri = rec.image_uri;
    r.render_ms = rec.render_ms;
    r.score_ms = rec.score_ms;
    // Cached: every score was in Redis, nothing rendered or scored here.
    // Not cached and not rendered: a stored image, scored only.
    r.cached = !worked;
    r.rendered = nd.render;
    if (r.cached) ++job.hits;
  }
}

}  // namespace bigpe
