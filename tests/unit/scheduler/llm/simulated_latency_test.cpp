// SimulatedLatencyClient over the real heuristic backend: the drawn latency
// is a function of the call alone, calls waiting at once never exceed the
// server's slots, and cache hits (CachedLlmClient on a real redis-server)
// never wait. Waits go through an injected waiter that records them, so no
// assertion depends on how long anything took.
#include "scheduler/llm/simulated_latency_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "backends/sim/sim_vocabulary.h"
#include "common/parallel_for.h"
#include "scheduler/llm/cached_llm_client.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"
#include "tests/support/redis_fixture.h"

namespace bigpe {
namespace {

std::unique_ptr<LlmClient> heuristic() {
  static auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(sim::default_vocabulary_path()));
  return std::make_unique<HeuristicLlm>(vocab, HeuristicOptions{});
}

ChatRequest generator_request(const std::string& query, int sample_index = 0) {
  ChatRequest r;
  r.role = AgentRole::kGenerator;
  r.model = "heuristic";
  r.messages = {{"system", "You refine prompts."}, {"user", "Refine it, Prompt or subject to refine : " + query}};
  r.sample_index = sample_index;
  return r;
}

SimLatencyOptions options(double mean, double sd, int slots) {
  SimLatencyOptions o;
  o.mean_ms = mean;
  o.sd_ms = sd;
  o.max_concurrency = slots;
  o.seed = 7;
  return o;
}

const std::vector<std::string> kQueries = {"A cactus", "A lava flow", "A lighthouse", "An owl", "A red fox",
                                           "A glacier", "A teapot", "A violin"};

// Each request's wait, as the client handed it to the waiter.
std::map<std::string, int64_t> waits_of(const std::vector<ChatRequest>& requests, int threads) {
  std::mutex mu;
  std::map<std::string, int64_t> by_key;
  thread_local std::string current;
  SimulatedLatencyClient client(
      heuristic(), options(1500, 500, 4), std::make_shared<LlmServerSlots>(4), [&](std::chrono::microseconds d) {
        std::lock_guard<std::mutex> lock(mu);
        by_key[current] = d.count();
      });
  parallel_for(requests.size(), threads, [&](std::size_t i) {
    current = requests[i].messages.back().content + "#" + std::to_string(requests[i].sample_index);
    client.complete(requests[i]);
  });
  return by_key;
}

TEST(SimulatedLatency, EachCallsLatencyDependsOnTheCallAloneNotOnThreadInterleaving) {
  std::vector<ChatRequest> requests;
  for (const std::string& q : kQueries)
    for (int s = 0; s < 3; ++s) requests.push_back(generator_request(q, s));
  std::map<std::string, int64_t> sequential = waits_of(requests, 1);
  std::reverse(requests.begin(), requests.end());
  std::map<std::string, int64_t> concurrent = waits_of(requests, 6);
  ASSERT_EQ(sequential.size(), requests.size());
  EXPECT_EQ(concurrent, sequential);
  // A real distribution: not every call waits alike.
  std::set<int64_t> distinct;
  for (const auto& [key, us] : sequential) distinct.insert(us);
  EXPECT_GT(distinct.size(), requests.size() / 2);

  // The same call under another seed waits differently; with sd 0 exactly the mean.
  const std::string key = llm_cache_key("m", generator_request("A cactus"));
  SimLatencyOptions other = options(1500, 500, 4);
  other.seed = 8;
  EXPECT_EQ(draw_latency_ms(options(1500, 500, 4), key), draw_latency_ms(options(1500, 500, 4), key));
  EXPECT_NE(draw_latency_ms(other, key), draw_latency_ms(options(1500, 500, 4), key));
  EXPECT_EQ(draw_latency_ms(options(20, 0, 4), key), 20.0);
}

TEST(SimulatedLatency, CallsWaitingAtOnceNeverExceedTheServersSlots) {
  constexpr int kSlots = 2;
  std::atomic<int> waiting{0}, most{0};
  std::mutex mu;
  std::condition_variable cv;
  bool filled = false;
  // The first waiters hold their slots until every slot is taken once, so
  // the count must reach kSlots; a client that let more in would show more.
  SimulatedLatencyClient client(heuristic(), options(20, 0, kSlots), std::make_shared<LlmServerSlots>(kSlots),
                                [&](std::chrono::microseconds) {
                                  const int now = ++waiting;
                                  int seen = most.load();
                                  while (now > seen && !most.compare_exchange_weak(seen, now)) {
                                  }
                                  {
                                    std::unique_lock<std::mutex> lock(mu);
                                    if (now >= kSlots) filled = true;
                                    cv.notify_all();
                                    cv.wait_for(lock, std::chrono::seconds(10), [&] { return filled; });
                                  }
                                  --waiting;
                                });
  std::vector<ChatRequest> requests;
  for (const std::string& q : kQueries)
    for (int s = 0; s < 4; ++s) requests.push_back(generator_request(q, s));
  parallel_for(requests.size(), 8, [&](std::size_t i) {
    ChatResponse r = client.complete(requests[i]);
    EXPECT_FALSE(r.text.empty());
  });
  EXPECT_TRUE(filled);
  EXPECT_EQ(most.load(), kSlots);

  std::vector<LlmStageStats> stats = client.take_stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].role, "generator");
  EXPECT_EQ(stats[0].calls, static_cast<long>(requests.size()));
  EXPECT_DOUBLE_EQ(stats[0].latency_sum_ms, 20.0 * requests.size());
  EXPECT_DOUBLE_EQ(stats[0].latency_max_ms, 20.0);
  EXPECT_TRUE(client.take_stats().empty());  // taking resets
}

TEST(SimulatedLatency, AnswersAndIdentityAreTheBackendsOwn) {
  auto plain = heuristic();
  SimulatedLatencyClient timed(heuristic(), options(20, 0, 1), std::make_shared<LlmServerSlots>(1),
                               [](std::chrono::microseconds) {});
  EXPECT_EQ(timed.model_id(), plain->model_id());
  for (const std::string& q : kQueries) {
    ChatResponse a = plain->complete(generator_request(q, 3));
    ChatResponse b = timed.complete(generator_request(q, 3));
    EXPECT_EQ(b.text, a.text) << q;
    EXPECT_GE(b.latency_ms, 20.0) << q;  // the drawn wait is reported as the call's latency
  }
}

TEST(SimulatedLatency, OneServerPerConcurrencyInTheProcessAndBadSettingsAreRefused) {
  EXPECT_EQ(LlmServerSlots::shared(3), LlmServerSlots::shared(3));
  EXPECT_NE(LlmServerSlots::shared(3), LlmServerSlots::shared(4));
  EXPECT_EQ(LlmServerSlots::shared(3)->capacity(), 3);
  EXPECT_THROW(LlmServerSlots(0), std::invalid_argument);
  EXPECT_THROW(SimulatedLatencyClient(heuristic(), options(0, 0, 1), std::make_shared<LlmServerSlots>(1)),
               std::invalid_argument);
  EXPECT_THROW(SimulatedLatencyClient(heuristic(), options(10, -1, 1), std::make_shared<LlmServerSlots>(1)),
               std::invalid_argument);
}

class SimulatedLatencyCacheTest : public RedisFixture {};

TEST_F(SimulatedLatencyCacheTest, ACacheHitAnswersWithoutWaiting) {
  std::atomic<int> waits{0};
  auto timed = std::make_unique<SimulatedLatencyClient>(heuristic(), options(20, 0, 2),
                                                        std::make_shared<LlmServerSlots>(2),
                                                        [&](std::chrono::microseconds) { ++waits; });
  CachedLlmClient cached(std::move(timed), std::shared_ptr<RedisClient>(client_ptr()));
  ChatResponse miss = cached.complete(generator_request("A cactus"));
  EXPECT_FALSE(miss.cached);
  EXPECT_EQ(waits, 1);
  ChatResponse hit = cached.complete(generator_request("A cactus"));
  EXPECT_TRUE(hit.cached);
  EXPECT_EQ(hit.text, miss.text);
  EXPECT_EQ(waits, 1);
}

}  // namespace
}  // namespace bigpe
