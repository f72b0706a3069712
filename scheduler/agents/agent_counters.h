#pragma once
// AgentCounters: what an agent's LLM calls came to, counted as they happen
// so that a run can say how often its LLM answered outside the templates'
// formats instead of silently falling back (progress line, report, status),
// and how many tokens its calls spent (report, campaign summary).
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
  long cached = 0;           // of the calls, answered by the LLM cache (no tokens spent again)
  long prompt_tokens = 0;    // usage reported by the server, over the calls not cached
  long completion_tokens = 0;

  AgentTally& operator+=(const AgentTally& o) {
    calls += o.calls;
    retries += o.retries;
    unusable += o.unusable;
    subject_dropped += o.subject_dropped;
    cached += o.cached;
    prompt_tokens += o.prompt_tokens;
    completion_tokens += o.completion_tokens;
    return *this;
  }
  AgentTally operator-(const AgentTally& o) const {
    return {calls - o.calls,
            retries - o.retries,
            unusable - o.unusable,
            subject_dropped - o.subject_dropped,
            cached - o.cached,
            prompt_tokens - o.prompt_tokens,
            completion_tokens - o.completion_tokens};
  }
};

class AgentCounters {
 public:
  void call() { ++calls_; }
  void retry() { ++retries_; }
  void unusable() { ++unusable_; }
  void subject_dropped() { ++subject_dropped_; }
  // An answer came: from the cache (costs nothing again) or with the
  // server's token usage.
  void answered(bool cached, long prompt_tokens, long completion_tokens) {
    if (cached) {
      ++cached_;
      return;
    }
    prompt_tokens_ += prompt_tokens;
    completion_tokens_ += completion_tokens;
  }
  AgentTally tally() const {
    return {calls_.load(),  retries_.load(),       unusable_.load(),         subject_dropped_.load(),
            cached_.load(), prompt_tokens_.load(), completion_tokens_.load()};
  }

 private:
  std::atomic<long> calls_{0}, retries_{0}, unusable_{0}, subject_dropped_{0};
  std::atomic<long> cached_{0}, prompt_tokens_{0}, completion_tokens_{0};
};

}  // namespace bigpe
