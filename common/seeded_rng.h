#pragma once
// SeededRng: a reproducible random stream named by a string key
// ("heuristic|gen|0|a cactus|3"). The same key gives the same numbers on
// every machine, compiler and standard library, which std::mt19937 plus
// std:: distributions do not promise (the distributions differ between
// libstdc++ and libc++). Streams with different keys are independent for
// practical purposes, so each consumer names its own stream instead of
// sharing one and shifting everyone's draws when it draws one more number.
//
// Generator: xoshiro256** (Blackman & Vigna) seeded with SHA-256 of the key.
// uniform() uses the top 53 bits; normal() is Box-Muller (cosine branch, one
// normal per two uniforms, no cached second value so the stream stays a
// simple function of the call sequence).
//
// Thread-safety: none; one instance per thread (they are cheap to make).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace bigpe {

class SeededRng {
 public:
  explicit SeededRng(const std::string& stream_key);

  uint64_t next();
  // Uniform in [0, 1).
  double uniform();
  // Standard normal.
  double normal();
  // Uniform integer in [0, n), unbiased. REQUIRES: n > 0 (else throws
  // std::invalid_argument).
  int64_t below(int64_t n);
  // Uniform integer in [lo, hi], both included. REQUIRES: lo <= hi.
  int64_t between(int64_t lo, int64_t hi);
  // True with probability p.
  bool chance(double p) { return uniform() < p; }

  // Fisher-Yates shuffle in place.
  template <typename T>
  void shuffle(std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; --i) {
      std::size_t j = static_cast<std::size_t>(below(static_cast<int64_t>(i)));
      std::swap(v[i - 1], v[j]);
    }
  }

  // k distinct elements in random order (all of them, shuffled, when
  // k >= size), as random.sample does.
  template <typename T>
  std::vector<T> sample(const std::vector<T>& v, std::size_t k) {
    std::vector<T> pool = v;
    if (k > pool.size()) k = pool.size();
    for (std::size_t i = 0; i < k; ++i) {
      std::size_t j = i + static_cast<std::size_t>(below(static_cast<int64_t>(pool.size() - i)));
      std::swap(pool[i], pool[j]);
    }
    pool.resize(k);
    return pool;
  }

  // One element chosen uniformly. REQUIRES: !v.empty().
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    if (v.empty()) throw std::invalid_argument("SeededRng::pick: empty vector");
    return v[static_cast<std::size_t>(below(static_cast<int64_t>(v.size())))];
  }

 private:
  uint64_t s_[4];
};

}  // namespace bigpe
