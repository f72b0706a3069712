#include "scheduler/report/progress_line.h"

#include <cstdio>

namespace bigpe::engine {

std::string ProgressLine::line(const ExperimentState& state) const {
  const IterationSummary& s = state.summaries.back();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  int done_here = state.next_iteration - first_;
  double eta = done_here > 0 ? elapsed / done_here * (iterations_ - state.next_iteration) : 0.0;
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "iter %d/%d  best %.3f  mean %.3f  pool %d  renders %ld done %ld cached  "
                "llm %ld calls %ld retried %ld unusable  elapsed %.1fs  eta %.1fs",
                s.iteration + 1, iterations_, s.best, s.mean, s.pool, state.renders_done, state.renders_cached,
                state.llm.calls, state.llm.retries, state.llm.unusable, elapsed, eta);
  return buf;
}

}  // namespace bigpe::engine
