#include "common/seeded_rng.h"

#include <cmath>

#include "common/content_hash.h"

namespace bigpe {

namespace {

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

SeededRng::SeededRng(const std::string& stream_key) {
  std::array<uint8_t, 32> d = sha256(stream_key);
  for (int w = 0; w < 4; ++w) {
    uint64_t v = 0;
    for (int b = 0; b < 8; ++b) v = (v << 8) | d[w * 8 + b];  // big-endian
    s_[w] = v;
  }
  // xoshiro's one forbidden state; SHA-256 will not produce it in practice.
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 0x9E3779B97F4A7C15ull;
}

uint64_t SeededRng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double SeededRng::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double SeededRng::normal() {
  // 1 - uniform() lies in (0, 1], so the log is finite.
  double u1 = 1.0 - uniform();
  double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

int64_t SeededRng::below(int64_t n) {
  if (n <= 0) throw std::invalid_argument("SeededRng::below: n must be positive, got " +
                                          std::to_string(n));
  // Rejection sampling on the top of the range keeps every value equally likely.
  const uint64_t un = static_cast<uint64_t>(n);
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % un);
  uint64_t x;
  do {
    x = next();
  } while (x >= limit);
  return static_cast<int64_t>(x % un);
}

int64_t SeededRng::between(int64_t lo, int64_t hi) {
  if (lo > hi)
    throw std::invalid_argument("SeededRng::between: lo " + std::to_string(lo) + " > hi " +
                                std::to_string(hi));
  return lo + below(hi - lo + 1);
}

}  // namespace bigpe
