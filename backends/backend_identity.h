#pragma once
// The backend identity a worker advertises in READY and every render task
// names (schemas/README.md section 7): "<renderer identity>+<scorer
// identity>", e.g. "sim-image-v1;size=64+sim-v1;vocab=0123456789abcdef".
// Settings that change results but live only on the worker (the sim
// vocabulary, a model folder, the precision) are in it, so tasks, cache
// keys and the broker's routing all tell two differently set up workers
// apart. A worker with several scorers (worker/task_executor.h) joins them
// all in its list's order: "<renderer>+<scorer 1>+<scorer 2>..."; with one
// scorer that is the form above, unchanged. Header-only, like the contracts
// it combines.
//
// Thread-safety: a pure function of the backends' identity() values.
#include <string>
#include <vector>

#include "backends/renderer.h"
#include "backends/scorer.h"

namespace bigpe {

inline std::string backend_identity(const Renderer& renderer, const Scorer& scorer) {
  return renderer.identity() + "+" + scorer.identity();
}

inline std::string backend_identity(const Renderer& renderer, const std::vector<const Scorer*>& scorers) {
  std::string id = renderer.identity();
  for (const Scorer* s : scorers) id += "+" + s->identity();
  return id;
}

}  // namespace bigpe
