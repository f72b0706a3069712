#pragma once
// TimelineTrace: where one run's time went, as intervals on lanes, for
// the timeline picture of docs/performance.md (scripts/timeline draws it).
// `timing.timeline: true` writes <run folder>/timeline.jsonl, one JSON
// object per line:
//
//   {"lane": "llm", "what": "generator", "start": <unix s>, "end": <unix s>}
//   {"lane": "worker:local-3", "what": "render", "start": ..., "end": ...}
//   {"lane": "loop", "what": "iteration 2", "start": ..., "end": ...}
//
// LLM calls are those the cache did not answer; a render's interval ends
// when its result reached the scheduler and lasts the worker's reported
// render + score time. Lines are written as they come, so a killed run
// keeps what it had.
//
// Thread-safety: record() may be called from any thread.
#include <fstream>
#include <mutex>
#include <string>

namespace bigpe::engine {

class TimelineTrace {
 public:
  // Throws std::runtime_error naming the path if it cannot be opened.
  explicit TimelineTrace(const std::string& path);
  void record(const std::string& lane, const std::string& what, double start_unix_s, double end_unix_s);

 private:
  std::mutex mu_;
  std::ofstream out_;
};

}  // namespace bigpe::engine
