// The evaluation statistics against scipy on the same numbers. The golden
// values were printed by scripts/reference/stats_golden.py (Debian 12:
// python3-scipy 1.10.1, python3-numpy 1.24.2); rerun it when the samples
// change.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "scheduler/stats/bootstrap.h"
#include "scheduler/engine/evaluation.h"
#include "scheduler/stats/wilcoxon.h"

namespace bigpe::engine {
namespace {

const std::vector<double> kTies = {0.5, -1.2, 0.0, 2.3, 0.5, -0.5, 1.1, 0.0, 3.0, -2.3, 0.7, 0.5, 1.9, -0.1, 0.8};
const std::vector<double> kPlain = {3.384994,  -0.346623, -2.347444, 1.92234,   2.845461,  -1.639624,
                                    -1.384411, 3.057485,  1.680222,  -2.384192, 0.063003,  3.519379,
                                    0.20409,   -2.375395, 1.627175,  3.197819,  -1.186912, -1.605082,
                                    2.909984,  2.187248,  -2.119,    -0.264015, 3.586801,  0.76208,
                                    -2.33826,  1.307962,  3.491287,  -0.694976, -1.776971, 2.710688};
const std::vector<double> kScores = {
    27.0,      26.29322,  24.645596, 23.341856, 23.406483, 24.828408, 26.569386, 27.349717, 26.616703, 24.962912,
    23.677739, 23.771618, 25.21134,  26.945193, 27.698869, 26.939841, 25.280365, 24.014138, 24.137255, 25.594382,
    27.320633, 28.047456, 27.262644, 25.597966, 24.351056, 24.503391, 25.977524, 27.695701, 28.395478, 27.585117,
    25.915722, 24.688497, 24.87002,  26.360757, 28.070388, 28.742936, 27.90727,  26.233644, 25.026464, 25.237139};

TEST(Wilcoxon, MatchesScipyWithTiesAndZeros) {
  WilcoxonResult r = wilcoxon_signed_rank(kTies);
  EXPECT_EQ(r.n, 13);  // the two zeros are dropped ("wilcox")
  EXPECT_DOUBLE_EQ(r.statistic, 25.0);
  EXPECT_NEAR(r.p_value, 0.15057858112290795, 1e-12);
  EXPECT_DOUBLE_EQ(r.r_plus + r.r_minus, 13.0 * 14.0 / 2.0);
}

TEST(Wilcoxon, MatchesScipyWithoutTies) {
  WilcoxonResult r = wilcoxon_signed_rank(kPlain);
  EXPECT_EQ(r.n, 30);
  EXPECT_DOUBLE_EQ(r.statistic, 158.0);
  EXPECT_NEAR(r.p_value, 0.12543823902980825, 1e-12);
}

TEST(Wilcoxon, MatchesScipyWhenEveryDifferenceHasOneSign) {
  WilcoxonResult r = wilcoxon_signed_rank({1.0, 2.0, 3.0, 4.0, 5.0, 6.0});
  EXPECT_DOUBLE_EQ(r.statistic, 0.0);
  EXPECT_NEAR(r.p_value, 0.027707849358079864, 1e-12);
  EXPECT_LT(r.z, 0.0);
}

TEST(Wilcoxon, AllZeroDifferencesCarryNoEvidence) {
  WilcoxonResult r = wilcoxon_signed_rank({0.0, 0.0, 0.0});
  EXPECT_EQ(r.n, 0);
  EXPECT_DOUBLE_EQ(r.p_value, 1.0);
}

TEST(Bootstrap, LinearQuantileMatchesNumpyPercentile) {
  std::vector<double> sorted = {1.0, 1.5, 2.6, 3.0, 4.0, 9.0};
  EXPECT_NEAR(linear_quantile(sorted, 0.025), 1.0625, 1e-12);
  EXPECT_NEAR(linear_quantile(sorted, 0.5), 2.8, 1e-12);
  EXPECT_NEAR(linear_quantile(sorted, 0.975), 8.375, 1e-12);
}

TEST(Bootstrap, PercentileIntervalAgreesWithScipyWithinMonteCarloError) {
  // scipy.stats.bootstrap(method="percentile", n_resamples=200000):
  // [25.491710088749997, 26.415039245625]; our 10,000 resamples differ by
  // Monte Carlo error only (sd about 0.004 here).
  Interval ci = bootstrap_mean_interval(kScores, "test");
  EXPECT_NEAR(ci.low, 25.491710088749997, 0.02);
  EXPECT_NEAR(ci.high, 26.415039245625, 0.02);
  EXPECT_NEAR(mean_of_values(kScores), 25.9518706, 1e-9);
}

TEST(Bootstrap, IsAPureFunctionOfValuesAndStream) {
  Interval a = bootstrap_mean_interval(kScores, "eval|optimized");
  Interval b = bootstrap_mean_interval(kScores, "eval|optimized");
  Interval c = bootstrap_mean_interval(kScores, "eval|baseline");
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_NE(a.low, c.low);  // another stream, other resamples
}

TEST(Bootstrap, DegenerateSamplesGiveZeroWidthIntervals) {
  Interval one = bootstrap_mean_interval({3.5}, "x");
  EXPECT_EQ(one.low, 3.5);
  EXPECT_EQ(one.high, 3.5);
  Interval same = bootstrap_mean_interval({2.0, 2.0, 2.0}, "x");
  EXPECT_EQ(same.low, 2.0);
  EXPECT_EQ(same.high, 2.0);
  Interval none = bootstrap_mean_interval({}, "x");
  EXPECT_EQ(none.low, 0.0);
}

TEST(Evaluation, SummaryAndPairedDifferenceUseTheBootstrap) {
  MethodResult a;
  a.method = "optimized";
  a.values = kScores;
  summarize(a);
  EXPECT_NEAR(a.mean, 25.9518706, 1e-9);
  EXPECT_LT(a.ci_low, a.mean);
  EXPECT_GT(a.ci_high, a.mean);
  MethodResult b = a;
  b.method = "baseline";
  for (double& v : b.values) v -= 1.0;
  MethodResult d = paired_difference(a, b, "gain");
  // Every paired difference is exactly 1: the interval collapses to it.
  EXPECT_NEAR(d.mean, 1.0, 1e-9);
  EXPECT_NEAR(d.ci_low, 1.0, 1e-9);
  EXPECT_NEAR(d.ci_high, 1.0, 1e-9);
}

TEST(Evaluation, RecordRoundTripsPromptsImagesAndSeedBase) {
  EvaluationResult r;
  r.queries = {"a cactus", "a city"};
  r.seeds = 2;
  r.seed_base = 77;
  MethodResult m;
  m.method = "plain";
  m.values = {1, 2, 3, 4};
  m.prompts = {"a cactus", "a cactus", "a city", "a city"};
  m.images = {"/x/1.png", "", "/x/3.png", "/x/4.png"};
  r.methods.push_back(m);
  EvaluationResult back = decode_evaluation(encode_evaluation(r));
  ASSERT_EQ(back.methods.size(), 1u);
  EXPECT_EQ(back.methods[0].prompts, m.prompts);
  EXPECT_EQ(back.methods[0].images, m.images);
  EXPECT_EQ(back.seed_base, 77);
  EXPECT_EQ(back.seed_of(3), 78);
  EXPECT_EQ(back.query_of(3), "a city");
  EXPECT_NEAR(back.methods[0].mean, 2.5, 1e-12);
}

}  // namespace
}  // namespace bigpe::engine
