#include "scheduler/render/in_process_render_service.h"

#include <algorithm>
#include <stdexcept>

namespace bigpe::engine {

InProcessRenderService::InProcessRenderService(std::shared_ptr<const sim::Vocabulary> vocab,
                                               const schemas::RenderParams& params,
                                               std::vector<std::string> scorers, ScoreTarget optimize)
    : scorer_(vocab),
      judge_(vocab),
      constants_(SimConstants::from_options(params.options)),
      taste_(sim_taste_seed(params.options)),
      scorers_(std::move(scorers)),
      optimize_(std::move(optimize)) {
  for (const std::string& name : scorers_)
    if (name != "sim" && name != "sim-judge")
      throw std::invalid_argument("in-process renders know the scorers sim and sim-judge, not '" + name + "'");
  if (std::find(scorers_.begin(), scorers_.end(), "sim-judge") != scorers_.end())
    rho_ = sim_judge_rho(params.options);
  for (const ScoreTerm& t : optimize_.terms)
    if (std::find(scorers_.begin(), scorers_.end(), t.scorer) == scorers_.end())
      throw std::invalid_argument("score.optimize names '" + t.scorer + "', which is not one of the scorers");
}

RenderOutcome InProcessRenderService::score(const RenderJob& job) const {
  RenderOutcome o;
  if (scorers_.empty()) {
    o.score = scorer_.score_prompt(job.prompt, job.score_text, job.seed, taste_, constants_);
    return o;
  }
  for (const std::string& name : scorers_)
    o.scores[name] = name == "sim" ? scorer_.score_prompt(job.prompt, job.score_text, job.seed, taste_, constants_)
                                   : judge_.score_prompt(job.prompt, job.score_text, job.seed, taste_, rho_, constants_);
  // The constructor checked that every term's scorer is here.
  o.score = optimize_.is_default() ? o.scores.at(scorers_.front()) : *optimize_.value(o.scores);
  return o;
}

std::vector<RenderOutcome> InProcessRenderService::run(const std::vector<RenderJob>& jobs) {
  std::vector<RenderOutcome> out;
  out.reserve(jobs.size());
  for (const RenderJob& job : jobs) {
    std::string key = job.prompt + '\x1f' + job.score_text + '\x1f' + std::to_string(job.seed);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      out.push_back(it->second);
      out.back().cached = true;
      ++cached_;
    } else {
      out.push_back(score(job));
      cache_.emplace(std::move(key), out.back());
      ++done_;
    }
  }
  return out;
}

}  // namespace bigpe::engine
