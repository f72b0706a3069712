// CachedLlmClient over a real redis-server (tests/support/redis_fixture.h),
// decorating the real offline heuristic backend.
#include "scheduler/llm/cached_llm_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <msgpack.hpp>
#include <set>
#include <thread>
#include <vector>

#include "backends/sim/sim_vocabulary.h"
#include "scheduler/llm/heuristic/heuristic_llm.h"
#include "tests/support/redis_fixture.h"

namespace bigpe {
namespace {

// Counts the calls that reach the real backend behind the cache, and
// reports usage as a server would (the heuristic itself reports none).
class CountingLlm : public LlmClient {
 public:
  CountingLlm(std::unique_ptr<LlmClient> inner, std::atomic<int>* calls) : inner_(std::move(inner)), calls_(calls) {}
  ChatResponse complete(const ChatRequest& r) override {
    ++*calls_;
    ChatResponse response = inner_->complete(r);
    response.prompt_tokens = 11;
    response.completion_tokens = 5;
    return response;
  }
  std::string name() const override { return inner_->name(); }
  std::string model_id() const override { return inner_->model_id(); }

 private:
  std::unique_ptr<LlmClient> inner_;
  std::atomic<int>* calls_;
};

std::unique_ptr<LlmClient> heuristic_counting(std::atomic<int>* calls, HeuristicOptions opts = {}) {
  static auto vocab = std::make_shared<const sim::Vocabulary>(
      sim::Vocabulary::load(sim::default_vocabulary_path()));
  return std::make_unique<CountingLlm>(std::make_unique<HeuristicLlm>(vocab, opts), calls);
}

ChatRequest generator_request(const std::string& query, int sample_index = 0) {
  ChatRequest r;
  r.role = AgentRole::kGenerator;
  r.model = "heuristic";
  r.messages = {{"system", "You refine prompts."},
                {"user", "Refine it, Prompt or subject to refine : " + query}};
  r.sample_index = sample_index;
  return r;
}

class CachedLlmTest : public RedisFixture {
 protected:
  std::shared_ptr<RedisClient> redis() { return std::shared_ptr<RedisClient>(client_ptr()); }
};

TEST_F(CachedLlmTest, AHitReturnsTheStoredAnswerWithoutCallingTheBackend) {
  std::atomic<int> calls{0};
  CachedLlmClient cached(heuristic_counting(&calls), redis());
  ChatResponse first = cached.complete(generator_request("A cactus"));
  EXPECT_FALSE(first.cached);
  EXPECT_EQ(calls, 1);
  ChatResponse second = cached.complete(generator_request("A cactus"));
  EXPECT_TRUE(second.cached);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(second.text, first.text);
  EXPECT_EQ(second.prompt_tokens, 11);
  EXPECT_EQ(second.completion_tokens, 5);
  // Another sample of the same request is another call.
  EXPECT_FALSE(cached.complete(generator_request("A cactus", 1)).cached);
  EXPECT_EQ(calls, 2);
}

TEST_F(CachedLlmTest, AResumedRunReadsTheCacheThroughNewConnections) {
  std::atomic<int> calls{0};
  std::string text;
  {
    CachedLlmClient cached(heuristic_counting(&calls), redis());
    text = cached.complete(generator_request("A lava flow")).text;
  }
  CachedLlmClient resumed(heuristic_counting(&calls), redis());
  ChatResponse r = resumed.complete(generator_request("A lava flow"));
  EXPECT_TRUE(r.cached);
  EXPECT_EQ(r.text, text);
  EXPECT_EQ(calls, 1);
}

TEST_F(CachedLlmTest, DifferentHeuristicSettingsDoNotShareAnswers) {
  std::atomic<int> calls{0};
  HeuristicOptions other;
  other.gc_specific = 1.0;
  CachedLlmClient a(heuristic_counting(&calls), redis());
  CachedLlmClient b(heuristic_counting(&calls, other), redis());
  EXPECT_NE(a.model_id(), b.model_id());
  EXPECT_FALSE(a.complete(generator_request("A cactus")).cached);
  EXPECT_FALSE(b.complete(generator_request("A cactus")).cached);
  EXPECT_EQ(calls, 2);
}

TEST_F(CachedLlmTest, StoresAVersionedRecordUnderTheRequestKey) {
  std::atomic<int> calls{0};
  auto conn = redis();
  CachedLlmClient cached(heuristic_counting(&calls), conn);
  ChatRequest req = generator_request("A cactus");
  ChatResponse r = cached.complete(req);
  const std::string key = llm_cache_key(cached.model_id(), req);
  ASSERT_EQ(key.rfind("bigpe:llm:", 0), 0u);
  EXPECT_EQ(key.size(), std::string("bigpe:llm:").size() + 64);
  RedisReply raw = conn->command({"GET", key});
  ASSERT_EQ(raw.type, RedisReply::Type::kString);
  msgpack::object_handle oh = msgpack::unpack(raw.str.data(), raw.str.size());
  std::map<std::string, msgpack::object> m = oh.get().as<std::map<std::string, msgpack::object>>();
  EXPECT_EQ(m.at("v").as<int>(), 1);
  EXPECT_EQ(m.at("model").as<std::string>(), "heuristic");
  EXPECT_EQ(m.at("role").as<std::string>(), "generator");
  EXPECT_EQ(m.at("text").as<std::string>(), r.text);
  EXPECT_EQ(m.at("completion_tokens").as<int>(), r.completion_tokens);
  EXPECT_GT(m.at("created_at").as<int64_t>(), 1600000000);
}

TEST_F(CachedLlmTest, KeyCoversModelRoleMessagesTemperatureAndSample) {
  const ChatRequest base = generator_request("A cactus");
  const std::string id = "heuristic-v1 seed=0";
  std::set<std::string> keys{llm_cache_key(id, base), llm_cache_key("heuristic-v1 seed=1", base)};
  EXPECT_EQ(llm_cache_key(id, base), llm_cache_key(id, generator_request("A cactus")));
  ChatRequest r = base;
  r.model = "other";
  keys.insert(llm_cache_key(id, r));
  r = base;
  r.role = AgentRole::kModifier;
  keys.insert(llm_cache_key(id, r));
  r = base;
  r.messages[0].content += " ";
  keys.insert(llm_cache_key(id, r));
  r = base;
  r.messages[1].role = "assistant";
  keys.insert(llm_cache_key(id, r));
  r = base;
  r.temperature = 0.0;
  keys.insert(llm_cache_key(id, r));
  r = base;
  r.sample_index = 1;
  keys.insert(llm_cache_key(id, r));
  EXPECT_EQ(keys.size(), 8u);
}

TEST_F(CachedLlmTest, BackendErrorsPassThroughAndAreNotCached) {
  std::atomic<int> calls{0};
  auto conn = redis();
  CachedLlmClient cached(heuristic_counting(&calls), conn);
  ChatRequest bad = generator_request("x");
  bad.messages[1].content = "no separator here";
  EXPECT_THROW(cached.complete(bad), LlmError);
  EXPECT_THROW(cached.complete(bad), LlmError);
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(conn->command({"GET", llm_cache_key(cached.model_id(), bad)}).is_nil());
}

TEST_F(CachedLlmTest, AnUndecodableRecordIsAnErrorNamingTheKey) {
  std::atomic<int> calls{0};
  auto conn = redis();
  ChatRequest req = generator_request("A cactus");
  CachedLlmClient cached(heuristic_counting(&calls), conn);
  conn->command({"SET", llm_cache_key(cached.model_id(), req), "not msgpack at all"});
  try {
    cached.complete(req);
    FAIL();
  } catch (const LlmError& e) {
    EXPECT_NE(std::string(e.what()).find(llm_cache_key(cached.model_id(), req)), std::string::npos) << e.what();
  }
  EXPECT_EQ(calls, 0);
}

TEST_F(CachedLlmTest, ManyThreadsShareOneCachedClient) {
  std::atomic<int> calls{0};
  CachedLlmClient cached(heuristic_counting(&calls), redis());
  auto run_all = [&](std::vector<ChatResponse>* out) {
    std::vector<std::thread> threads;
    out->resize(16);
    for (int i = 0; i < 16; ++i)
      threads.emplace_back([&, i] { (*out)[i] = cached.complete(generator_request("A cactus", i)); });
    for (auto& t : threads) t.join();
  };
  std::vector<ChatResponse> first, second;
  run_all(&first);
  EXPECT_EQ(calls, 16);
  run_all(&second);
  EXPECT_EQ(calls, 16);
  for (int i = 0; i < 16; ++i) {
    EXPECT_FALSE(first[i].cached);
    EXPECT_TRUE(second[i].cached);
    EXPECT_EQ(second[i].text, first[i].text);
  }
}

}  // namespace
}  // namespace bigpe
