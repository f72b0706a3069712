// PromptGenerations hands each prompt over as it arrives, makes each call
// once however early it was started, returns prompts in the order asked,
// and forgets a failed call so a later step asks again.
#include "scheduler/engine/prompt_generations.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>

namespace bigpe::engine {
namespace {

std::string answer(const GenerationCall& c) {
  return c.instruction + "|" + c.query + "|" + std::to_string(c.sample_index);
}

struct CountingGenerator {
  std::mutex mu;
  std::map<std::string, int> calls;
  std::string operator()(const GenerationCall& c) {
    std::lock_guard<std::mutex> lock(mu);
    ++calls[answer(c)];
    return answer(c);
  }
};

TEST(PromptGenerations, ReturnsPromptsInOrderAndHandsEachOverOnce) {
  CountingGenerator gen;
  PromptGenerations g([&](const GenerationCall& c) { return gen(c); });
  std::vector<GenerationCall> calls;
  for (int i = 0; i < 20; ++i) calls.push_back({"ins" + std::to_string(i % 3), "q" + std::to_string(i), 7});
  std::vector<int> handed(calls.size(), 0);
  std::vector<std::string> prompts = g.collect(calls, 4, [&](const std::vector<std::size_t>& arrived,
                                                             const std::vector<std::string>& got) {
    for (std::size_t i : arrived) {
      ++handed[i];
      EXPECT_EQ(got[i], answer(calls[i]));
    }
  });
  ASSERT_EQ(prompts.size(), calls.size());
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(prompts[i], answer(calls[i]));
    EXPECT_EQ(handed[i], 1) << i;
  }
}

TEST(PromptGenerations, ACallStartedEarlyIsNotMadeAgain) {
  CountingGenerator gen;
  PromptGenerations g([&](const GenerationCall& c) { return gen(c); });
  std::vector<GenerationCall> early = {{"kept", "q1", 1}, {"kept", "q2", 1}};
  g.start(early, 2);
  std::vector<GenerationCall> all = {{"child", "q1", 1}, {"kept", "q1", 1}, {"kept", "q2", 1}, {"child", "q2", 1}};
  std::vector<std::string> prompts = g.collect(all, 2, {});
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(prompts[i], answer(all[i]));
  for (const auto& [key, n] : gen.calls) EXPECT_EQ(n, 1) << key;
  EXPECT_EQ(gen.calls.size(), 4u);
}

TEST(PromptGenerations, APromptIsHandedOverBeforeTheSlowestArrives) {
  // The second call answers only once the first was handed over: a
  // collect() that waited for every call before handing any over would
  // leave it to its bound and return "not released".
  std::promise<void> first_handed;
  std::shared_future<void> released = first_handed.get_future().share();
  PromptGenerations g([&](const GenerationCall& c) -> std::string {
    if (c.query == "fast") return "fast";
    return released.wait_for(std::chrono::seconds(30)) == std::future_status::ready ? "released" : "not released";
  });
  std::vector<GenerationCall> calls = {{"i", "fast", 0}, {"i", "slow", 0}};
  bool fired = false;
  std::vector<std::string> prompts =
      g.collect(calls, 2, [&](const std::vector<std::size_t>& arrived, const std::vector<std::string>&) {
        for (std::size_t i : arrived)
          if (i == 0 && !fired) {
            fired = true;
            first_handed.set_value();
          }
      });
  EXPECT_EQ(prompts[0], "fast");
  EXPECT_EQ(prompts[1], "released");
}

TEST(PromptGenerations, AFailureIsRethrownAndTheCallAskedAgainLater) {
  std::atomic<int> attempts{0};
  PromptGenerations g([&](const GenerationCall& c) -> std::string {
    if (c.query == "bad" && attempts++ == 0) throw std::runtime_error("endpoint down");
    return answer(c);
  });
  std::vector<GenerationCall> calls = {{"i", "good", 0}, {"i", "bad", 0}};
  EXPECT_THROW(
      {
        try {
          g.collect(calls, 2, {});
        } catch (const std::runtime_error& e) {
          EXPECT_STREQ(e.what(), "endpoint down");
          throw;
        }
      },
      std::runtime_error);
  std::vector<std::string> prompts = g.collect(calls, 2, {});
  EXPECT_EQ(prompts[1], answer(calls[1]));
  EXPECT_EQ(attempts.load(), 2);
}

TEST(PromptGenerations, TheDestructorWaitsForCallsInFlight) {
  std::atomic<int> entered{0}, left{0};
  std::promise<void> first_entered;
  {
    PromptGenerations g([&](const GenerationCall& c) {
      if (entered++ == 0) first_entered.set_value();
      std::string a = answer(c);
      left++;
      return a;
    });
    g.start({{"i", "a", 0}, {"i", "b", 0}, {"i", "c", 0}}, 1);
    first_entered.get_future().wait();
  }
  // Every call begun has ended by the time the object is gone: no thread
  // outlives it (a detached one could still be inside the call here).
  EXPECT_GE(entered.load(), 1);
  EXPECT_EQ(left.load(), entered.load());
}

}  // namespace
}  // namespace bigpe::engine
