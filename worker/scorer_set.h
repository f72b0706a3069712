#pragma once
// ScorerSet: the scorers a worker loads (`bigpe worker --scorer a,b`), in
// its list's order, and the cache keys of each item under them
// (schemas/README.md sections 7.1 and 7.3). With one scorer nothing here
// differs from a worker that has only ever had one: its identity is
// "<renderer>+<scorer>" and the one score key of an item is the item's key.
// With several, an item's image is keyed apart from each of its scores, so
// a worker whose list grew scores what is new without rendering again.
//
// Thread-safety: immutable after construction; the scorers themselves are
// used by one thread at a time (backends/scorer.h).
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "backends/renderer.h"
#include "backends/scorer.h"
#include "schemas/render_task.h"

namespace bigpe {

class ScorerSet {
 public:
  // Throws std::invalid_argument when `scorers` is empty or two share a
  // name (their scores would share a name in every result).
  // REQUIRES: renderer and scorers outlive the set.
  ScorerSet(const Renderer& renderer, std::vector<Scorer*> scorers);

  std::size_t size() const { return scorers_.size(); }
  bool several() const { return scorers_.size() > 1; }
  Scorer& at(std::size_t i) const { return *scorers_[i]; }
  // "<renderer identity>+<scorer 1 identity>[+<scorer 2 identity>...]".
  const std::string& identity() const { return identity_; }
  // "sim, sim-judge": for messages.
  std::string names() const;
  // Every option some scorer reads.
  std::set<std::string> option_names() const;

  // The image key of an item (content_hash.h image_key): the renderer's
  // identity and the options it reads or that sit under "cache.".
  std::string image_key(const std::string& service, const schemas::RenderItem& item,
                        const schemas::RenderParams& params) const;
  // Scorer i's score key of an item: the result key (7.1) a worker with
  // only the renderer and scorer i would give it, with only their options
  // (and those under "cache."), so it is the key of that worker's record.
  std::string score_key(std::size_t i, const std::string& service, const schemas::RenderItem& item,
                        const schemas::RenderParams& params) const;

 private:
  schemas::RenderParams only(const schemas::RenderParams& params, const std::set<std::string>& a,
                             const std::set<std::string>* b) const;

  const Renderer& renderer_;
  std::vector<Scorer*> scorers_;
  std::string identity_;
  std::set<std::string> renderer_options_;
  std::vector<std::set<std::string>> scorer_options_;
};

}  // namespace bigpe
