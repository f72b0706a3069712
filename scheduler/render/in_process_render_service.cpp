#include "scheduler/render/in_process_render_service.h"

namespace bigpe::engine {

InProcessRenderService::InProcessRenderService(std::shared_ptr<const sim::Vocabulary> vocab,
                                               const schemas::RenderParams& params)
    : scorer_(std::move(vocab)),
      constants_(SimConstants::from_options(params.options)),
      taste_(sim_taste_seed(params.options)) {}

std::vector<RenderOutcome> InProcessRenderService::run(const std::vector<RenderJob>& jobs) {
  std::vector<RenderOutcome> out;
  out.reserve(jobs.size());
  for (const RenderJob& job : jobs) {
    std::string key = job.prompt + '\x1f' + job.score_text + '\x1f' + std::to_string(job.seed);
    auto it = cache_.find(key);
    RenderOutcome o;
    if (it != cache_.end()) {
      o.score = it->second;
      o.cached = true;
      ++cached_;
    } else {
      o.score = scorer_.score_prompt(job.prompt, job.score_text, job.seed, taste_, constants_);
      cache_.emplace(std::move(key), o.score);
      ++done_;
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace bigpe::engine
