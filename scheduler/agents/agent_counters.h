#pragma once
// AgentCounters: what an agent's LLM calls came to, counted as they happen
// so that a run can say how often its LLM answered outside the templates'
// formats instead of silently falling back (progress line, report, status).
//
// Thread-safety: the counters are atomics; agents count from many threads.
#include <atomic>

namespace bigpe {

// A snapshot; differences of two give what happened in between.
struct AgentTally {
  long calls = 0;            // requests sent (first attempts and retries)
  long retries = 0;          // of those, asked again after an unusable reply
  long unusable = 0;         // answers still unusable after every attempt
  long subject_dropped = 0;  // generated prompts without a word of their query

  AgentTally& operator+=(const AgentTally& o) {
    calls += o.calls;
    retries += o.retries;
    unusable += o.unusable;
    subject_dropped += o.subject_dropped;
    return *this;
  }
  AgentTally operator-(const AgentTally& o) const {
    return {calls - o.calls, retries - o.retries, unusable - o.unusable, subject_dropped - o.subject_dropped};
  }
};

class AgentCounters {
 public:
  void call() { ++calls_; }
  void retry() { ++retries_; }
  void unusable() { ++unusable_; }
  void subject_dropped() { ++subject_dropped_; }
  AgentTally tally() const { return {calls_.load(), retries_.load(), unusable_.load(), subject_dropped_.load()}; }

 private:
  std::atomic<long> calls_{0}, retries_{0}, unusable_{0}, subject_dropped_{0};
};

}  // namespace bigpe
