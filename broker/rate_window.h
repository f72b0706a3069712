#pragma once
// Events per second over a sliding window (for STATUS rates), kept in a
// ring of fixed buckets so that counting is O(1) and memory is constant.
//
// Thread-safety: none; the broker's event loop owns it.
#include <array>
#include <chrono>
#include <cstdint>

namespace bigpe::broker {

class RateWindow {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kBuckets = 10;
  static constexpr std::chrono::milliseconds kBucketWidth{1000};

  void add(Clock::time_point now, int64_t n = 1) {
    advance(now);
    counts_[index(current_)] += n;
  }

  // Mean rate over the last kBuckets buckets (the current one included).
  double per_second(Clock::time_point now) {
    advance(now);
    int64_t total = 0;
    for (int64_t c : counts_) total += c;
    return static_cast<double>(total) / (kBuckets * kBucketWidth.count() / 1000.0);
  }

 private:
  static std::size_t index(int64_t bucket) { return static_cast<std::size_t>(bucket % kBuckets); }

  void advance(Clock::time_point now) {
    const int64_t bucket = std::chrono::duration_cast<std::chrono::milliseconds>(
                               now.time_since_epoch()).count() / kBucketWidth.count();
    if (!started_) {
      current_ = bucket;
      started_ = true;
      return;
    }
    // Clear the buckets that the window slid past.
    for (int64_t b = current_ + 1; b <= bucket && b <= current_ + kBuckets; ++b) counts_[index(b)] = 0;
    if (bucket > current_) current_ = bucket;
  }

  std::array<int64_t, kBuckets> counts_{};
  int64_t current_ = 0;
  bool started_ = false;
};

}  // namespace bigpe::broker
