#pragma once
// parallel_for runs fn(i) for i in [0, n) on up to `threads` threads (the
// caller's among them); parallel_map collects fn(i)'s results in index
// order. The one thread pool of the project: LLM calls, which wait on the
// network, experiments of a campaign, benchmark runs. Results never depend
// on which thread finished first, so a run stays reproducible. After the
// first exception no new index is handed out; it is rethrown once every
// thread has stopped.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bigpe {

template <typename Fn>
void parallel_for(std::size_t n, int threads, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mu;
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu);
        if (!error) error = std::current_exception();
        next = n;  // stop handing out work
      }
    }
  };
  std::size_t count = std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, threads)));
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < count; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

template <typename T, typename Fn>
std::vector<T> parallel_map(std::size_t n, int threads, Fn fn) {
  std::vector<T> out(n);
  parallel_for(n, threads, [&](std::size_t i) { out[i] = fn(i); });
  return out;
}

}  // namespace bigpe
