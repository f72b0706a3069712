#include "scheduler/report/progress_line.h"

#include <cstdio>

#include "scheduler/report/scored_only_text.h"

namespace bigpe::engine {

double ProgressLine::evaluation_eta(const ExperimentState& state, Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const long rendered_here = state.renders_done - renders_at_start_;
  return rendered_here > 0 ? elapsed / static_cast<double>(rendered_here) * static_cast<double>(evaluation_renders_)
                           : 0.0;
}

std::string ProgressLine::line(const ExperimentState& state, Clock::time_point now) const {
  const IterationSummary& s = state.summaries.back();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int done_here = state.next_iteration - first_;
  const double loop_eta = done_here > 0 ? elapsed / done_here * (iterations_ - state.next_iteration) : 0.0;
  const double eta = loop_eta + evaluation_eta(state, now);
  char buf[360];
  std::snprintf(buf, sizeof buf,
                "iter %d/%d  best %.3f  mean %.3f  pool %d  renders %ld done %ld cached%s  "
                "llm %ld calls %ld retried %ld unusable  elapsed %.1fs  eta %.1fs",
                s.iteration + 1, iterations_, s.best, s.mean, s.pool, state.renders_done, state.renders_cached,
                scored_only_text(state.renders_scored, " ").c_str(), state.llm.calls, state.llm.retries,
                state.llm.unusable, elapsed, eta);
  return buf;
}

}  // namespace bigpe::engine
