#pragma once
// SimulatedLatencyClient: gives the offline heuristic LLM the timing of a
// real server (llm.sim_latency_ms, llm.sim_latency_sd_ms,
// llm.sim_max_concurrency), so benchmarks see GPUs wait on the LLM as
// they would with vLLM or OpenAI. Only timing changes: the answer is the
// inner client's, and model_id() is the inner one's, so cache keys and
// results are those of a run without latency.
//
// Each call holds one slot of an LlmServerSlots (a counting semaphore
// standing for the server's concurrency) while it waits its drawn latency
// and the inner client answers. The latency is a pure function of
// (seed, the call's cache key): lognormal with the given mean and sd
// (constant when sd is 0), so it never depends on thread interleaving.
// Sits below CachedLlmClient, so cache hits answer at once.
//
// It also tallies the drawn latencies per agent role for the benchmarks'
// critical path (take_stats()).
//
// Thread-safety: complete() and take_stats() are safe from many threads.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "scheduler/llm/llm_client.h"

namespace bigpe {

struct SimLatencyOptions {
  double mean_ms = 0;      // 0: no simulated latency
  double sd_ms = 0;        // 0: every call waits exactly mean_ms
  int max_concurrency = 16;  // calls the simulated server serves at once
  uint64_t seed = 0;       // the experiment seed
  bool enabled() const { return mean_ms > 0; }
};

// A counting semaphore with `capacity` slots.
class LlmServerSlots {
 public:
  // REQUIRES: capacity >= 1 (else std::invalid_argument).
  explicit LlmServerSlots(int capacity);
  void acquire();
  void release();
  int capacity() const { return capacity_; }

  // One simulated server per capacity for the whole process, so the
  // experiments of a campaign share it as they would share one real server.
  static std::shared_ptr<LlmServerSlots> shared(int capacity);

 private:
  const int capacity_;
  int free_;
  std::mutex mu_;
  std::condition_variable cv_;
};

// What one role's calls waited, for the critical path of an iteration.
struct LlmStageStats {
  std::string role;  // role_name()
  long calls = 0;
  double latency_sum_ms = 0;
  double latency_max_ms = 0;
};

// The drawn latency of the call whose cache key is `call_key`.
double draw_latency_ms(const SimLatencyOptions& options, const std::string& call_key);

class SimulatedLatencyClient : public LlmClient {
 public:
  // How a call waits; tests pass one that counts simultaneous waiters.
  using Waiter = std::function<void(std::chrono::microseconds)>;

  // REQUIRES: inner and slots non-null, options.mean_ms > 0, sd_ms >= 0
  // (else std::invalid_argument). Default waiter: sleep the calling thread.
  SimulatedLatencyClient(std::unique_ptr<LlmClient> inner, SimLatencyOptions options,
                         std::shared_ptr<LlmServerSlots> slots, Waiter waiter = {});

  ChatResponse complete(const ChatRequest& request) override;
  std::string name() const override { return inner_->name(); }
  std::string model_id() const override { return inner_->model_id(); }

  // Per role (in role order: generator, gradient, modifier, fallback; roles
  // without calls left out), what the calls since the last take waited.
  std::vector<LlmStageStats> take_stats();
  int server_concurrency() const { return slots_->capacity(); }

 private:
  std::unique_ptr<LlmClient> inner_;
  SimLatencyOptions options_;
  std::shared_ptr<LlmServerSlots> slots_;
  Waiter waiter_;
  std::mutex stats_mu_;
  std::map<AgentRole, LlmStageStats> stats_;
};

}  // namespace bigpe
