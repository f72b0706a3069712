#include "worker/scorer_set.h"

#include <stdexcept>

#include "backends/backend_identity.h"
#include "common/content_hash.h"

namespace bigpe {

ScorerSet::ScorerSet(const Renderer& renderer, std::vector<Scorer*> scorers)
    : renderer_(renderer), scorers_(std::move(scorers)) {
  if (scorers_.empty()) throw std::invalid_argument("worker: at least one scorer is required");
  std::set<std::string> names;
  for (const Scorer* s : scorers_) {
    if (s == nullptr) throw std::invalid_argument("worker: a scorer is missing");
    if (!names.insert(s->name()).second)
      throw std::invalid_argument("worker: scorer '" + s->name() + "' is listed twice");
  }
  identity_ = backend_identity(renderer_, std::vector<const Scorer*>(scorers_.begin(), scorers_.end()));
  for (std::string& n : renderer_.option_names()) renderer_options_.insert(std::move(n));
  for (const Scorer* s : scorers_) {
    std::vector<std::string> names_read = s->option_names();
    scorer_options_.emplace_back(names_read.begin(), names_read.end());
  }
}

std::string ScorerSet::names() const {
  std::string out;
  for (const Scorer* s : scorers_) out += (out.empty() ? "" : ", ") + s->name();
  return out;
}

std::set<std::string> ScorerSet::option_names() const {
  std::set<std::string> all;
  for (const auto& names : scorer_options_) all.insert(names.begin(), names.end());
  return all;
}

schemas::RenderParams ScorerSet::only(const schemas::RenderParams& params, const std::set<std::string>& a,
                                      const std::set<std::string>* b) const {
  schemas::RenderParams out = params;
  out.options.clear();
  for (const auto& [name, value] : params.options)
    if (name.rfind("cache.", 0) == 0 || a.count(name) || (b != nullptr && b->count(name))) out.options.emplace(name, value);
  return out;
}

std::string ScorerSet::image_key(const std::string& service, const schemas::RenderItem& item,
                                 const schemas::RenderParams& params) const {
  return bigpe::image_key(service, renderer_.identity(), item.prompt, item.seed,
                          only(params, renderer_options_, nullptr));
}

std::string ScorerSet::score_key(std::size_t i, const std::string& service, const schemas::RenderItem& item,
                                 const schemas::RenderParams& params) const {
  return result_key(service, backend_identity(renderer_, *scorers_.at(i)), item.prompt, item.score_text, item.seed,
                    only(params, renderer_options_, &scorer_options_.at(i)));
}

}  // namespace bigpe
