#pragma once
// Runs fn(i) for i in [0, n) on up to `threads` threads and returns the
// results in index order. Used for LLM calls, which wait on the network:
// the order of results never depends on which thread finished first, so a
// run stays reproducible. The first exception thrown is rethrown.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace bigpe::engine {

template <typename T, typename Fn>
std::vector<T> parallel_map(std::size_t n, int threads, Fn fn) {
  std::vector<T> out(n);
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mu;
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        out[i] = fn(i);
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
  return out;
}

}  // namespace bigpe::engine
