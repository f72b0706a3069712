// parallel_for / parallel_map: every index runs once, results come back in
// index order, no more threads run than asked, and the first exception is
// rethrown after every thread stopped, with no new index handed out.
#include "common/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>

namespace bigpe {
namespace {

TEST(ParallelFor, EveryIndexRunsExactlyOnce) {
  std::vector<std::atomic<int>> hits(500);
  parallel_for(hits.size(), 4, [&](std::size_t i) { ++hits[i]; });
  for (std::size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].load(), 1) << i;
}

TEST(ParallelFor, NeverRunsMoreThreadsThanAsked) {
  std::atomic<int> running{0}, most{0};
  parallel_for(64, 3, [&](std::size_t) {
    int now = ++running;
    for (int m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
    }
    --running;
  });
  EXPECT_GE(most.load(), 1);
  EXPECT_LE(most.load(), 3);
}

TEST(ParallelFor, ZeroItemsAndZeroThreadsAreFine) {
  int calls = 0;
  parallel_for(0, 4, [&](std::size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
  parallel_for(3, 0, [&](std::size_t) { ++calls; });  // runs on the caller alone
  EXPECT_EQ(calls, 3);
}

TEST(ParallelFor, TheFirstExceptionIsRethrownAndStopsNewWork) {
  std::atomic<int> started{0};
  try {
    // One thread: indices run in order, so nothing after index 5 may start.
    parallel_for(100, 1, [&](std::size_t i) {
      ++started;
      if (i == 5) throw std::runtime_error("item 5 failed");
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "item 5 failed");
  }
  EXPECT_EQ(started.load(), 6);
}

TEST(ParallelMap, ResultsComeBackInIndexOrder) {
  std::vector<std::string> out =
      parallel_map<std::string>(200, 4, [](std::size_t i) { return std::to_string(i * i); });
  ASSERT_EQ(out.size(), 200u);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], std::to_string(i * i));
}

}  // namespace
}  // namespace bigpe
