#pragma once
// TaskExecutor's state for one task of a batch, shared by its two source
// files (task_executor.cpp: lookup, one scorer, store, replies;
// task_executor_scores.cpp: several scorers). Private to worker/.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/unix_time.h"
#include "schemas/messages.h"
#include "schemas/render_task.h"
#include "worker/task_executor.h"

namespace bigpe {

struct TaskExecutor::Job {
  const schemas::Task* task = nullptr;
  std::optional<schemas::RenderTask> render;
  std::vector<std::optional<schemas::ResultRecord>> cached;  // per item: its result record
  // Several scorers only, per item: each scorer's score record and the
  // image record (schemas/README.md section 7.3).
  std::vector<std::vector<std::optional<schemas::ResultRecord>>> parts;
  std::vector<std::optional<schemas::ImageRecord>> images;
  std::vector<schemas::ItemResult> items;
  std::vector<schemas::ResultRecord> new_records;
  std::vector<schemas::ImageRecord> new_images;
  int renders = 0;
  int hits = 0;
  std::string error;
  bool permanent = false;  // refused by rule: any attempt would fail alike
  bool failed() const { return !error.empty(); }
};

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// scorer.score(), refusing an answer of the wrong length.
inline std::vector<double> score_checked(Scorer& scorer, const std::vector<Image>& images,
                                         const std::vector<std::string>& texts, const schemas::RenderParams& params) {
  std::vector<double> scores = scorer.score(images, texts, params);
  if (scores.size() != images.size())
    throw std::runtime_error("scorer " + scorer.name() + " returned " + std::to_string(scores.size()) +
                             " scores for " + std::to_string(images.size()) + " images");
  return scores;
}

}  // namespace bigpe
