#include "scheduler/llm/simulated_latency_client.h"

#include <cmath>
#include <stdexcept>
#include <thread>

#include "common/seeded_rng.h"
#include "scheduler/llm/cached_llm_client.h"

namespace bigpe {

LlmServerSlots::LlmServerSlots(int capacity) : capacity_(capacity), free_(capacity) {
  if (capacity < 1)
    throw std::invalid_argument("llm.sim_max_concurrency must be at least 1, got " + std::to_string(capacity));
}

void LlmServerSlots::acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return free_ > 0; });
  --free_;
}

void LlmServerSlots::release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++free_;
  }
  cv_.notify_one();
}

std::shared_ptr<LlmServerSlots> LlmServerSlots::shared(int capacity) {
  static std::mutex mu;
  static std::map<int, std::shared_ptr<LlmServerSlots>> servers;
  std::lock_guard<std::mutex> lock(mu);
  std::shared_ptr<LlmServerSlots>& s = servers[capacity];
  if (!s) s = std::make_shared<LlmServerSlots>(capacity);
  return s;
}

double draw_latency_ms(const SimLatencyOptions& o, const std::string& call_key) {
  if (o.sd_ms <= 0) return o.mean_ms;
  // Lognormal with mean o.mean_ms and sd o.sd_ms: positive and right-skewed,
  // as chat completion times are.
  const double var = std::log1p((o.sd_ms * o.sd_ms) / (o.mean_ms * o.mean_ms));
  const double mu = std::log(o.mean_ms) - var / 2;
  SeededRng rng("sim-latency|" + std::to_string(o.seed) + "|" + call_key);
  return std::exp(mu + std::sqrt(var) * rng.normal());
}

SimulatedLatencyClient::SimulatedLatencyClient(std::unique_ptr<LlmClient> inner, SimLatencyOptions options,
                                               std::shared_ptr<LlmServerSlots> slots, Waiter waiter)
    : inner_(std::move(inner)), options_(options), slots_(std::move(slots)), waiter_(std::move(waiter)) {
  if (!inner_ || !slots_) throw std::invalid_argument("SimulatedLatencyClient: inner client and slots are required");
  if (!(options_.mean_ms > 0) || !(options_.sd_ms >= 0))
    throw std::invalid_argument("SimulatedLatencyClient: llm.sim_latency_ms must be > 0 and llm.sim_latency_sd_ms >= 0");
  if (!waiter_) waiter_ = [](std::chrono::microseconds d) { std::this_thread::sleep_for(d); };
}

ChatResponse SimulatedLatencyClient::complete(const ChatRequest& request) {
  const double ms = draw_latency_ms(options_, llm_cache_key(inner_->model_id(), request));
  ChatResponse r;
  {
    struct Slot {
      LlmServerSlots& s;
      explicit Slot(LlmServerSlots& slots) : s(slots) { s.acquire(); }
      ~Slot() { s.release(); }
    } slot(*slots_);
    waiter_(std::chrono::microseconds(static_cast<int64_t>(std::llround(ms * 1000.0))));
    r = inner_->complete(request);
  }
  r.latency_ms += ms;
  std::lock_guard<std::mutex> lock(stats_mu_);
  LlmStageStats& st = stats_[request.role];
  st.role = role_name(request.role);
  ++st.calls;
  st.latency_sum_ms += ms;
  if (ms > st.latency_max_ms) st.latency_max_ms = ms;
  return r;
}

std::vector<LlmStageStats> SimulatedLatencyClient::take_stats() {
  std::lock_guard<std::mutex> lock(stats_mu_);
  std::vector<LlmStageStats> out;
  for (auto& [role, st] : stats_) out.push_back(st);
  stats_.clear();
  return out;
}

}  // namespace bigpe
