// The repeat-interval rule against the golden vectors that
// scripts/reference/repeat_interval_golden.py computed with scipy
// (repeat_intervals.json beside this file). tests/aggregate/aggregate_test.py
// checks the Python implementation against the same file, so both languages
// print the same interval for the same repeats.
#include <gtest/gtest.h>

#include "common/file_io.h"
#include "common/json_strict.h"
#include "scheduler/stats/repeat_interval.h"

namespace bigpe::engine {
namespace {

nlohmann::ordered_json golden() {
  return json::parse_strict(read_file(BIGPE_SOURCE_DIR "/tests/unit/scheduler/stats/repeat_intervals.json"));
}

TEST(RepeatInterval, StudentTQuantilesMatchScipy) {
  const nlohmann::ordered_json g = golden();
  ASSERT_GE(g.at("t_quantiles").size(), 20u);
  for (const auto& q : g.at("t_quantiles")) {
    const double want = q.at("t").get<double>();
    // scipy 1.10's t.ppf itself is good to about 1e-9 relative (its
    // betainc at the answer is off by that much); ours bisects the CDF.
    EXPECT_NEAR(student_t_quantile(q.at("p").get<double>(), q.at("df").get<double>()), want,
                1e-8 * std::max(1.0, std::fabs(want)))
        << "p=" << q.at("p") << " df=" << q.at("df");
  }
}

TEST(RepeatInterval, MeansIntervalsMarksAndTextMatchTheGoldenVectors) {
  const nlohmann::ordered_json g = golden();
  EXPECT_EQ(g.at("few_repeats").get<int>(), kFewRepeats);
  ASSERT_GE(g.at("cases").size(), 8u);
  for (const auto& c : g.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    RepeatInterval r = repeat_interval(c.at("values").get<std::vector<double>>());
    EXPECT_EQ(r.n, c.at("n").get<int>()) << name;
    EXPECT_EQ(r.few(), c.at("marked").get<bool>()) << name;
    if (!c.at("mean").is_null()) EXPECT_NEAR(r.mean, c.at("mean").get<double>(), 1e-12) << name;
    EXPECT_EQ(r.has_interval(), !c.at("low").is_null()) << name;
    if (r.has_interval()) {
      EXPECT_NEAR(r.low, c.at("low").get<double>(), 1e-9) << name;
      EXPECT_NEAR(r.high, c.at("high").get<double>(), 1e-9) << name;
    }
    EXPECT_EQ(format_repeat_interval(r, 2, false), c.at("text").get<std::string>()) << name;
    EXPECT_EQ(format_repeat_interval(r, 2, true), c.at("text_signed").get<std::string>()) << name;
  }
}

TEST(RepeatInterval, TwoRepeatsGiveTheWideTIntervalNotTheirRange) {
  // The two values themselves were what a bootstrap reported.
  RepeatInterval r = repeat_interval({-0.215, -0.059});
  EXPECT_LT(r.low, -1.0);
  EXPECT_GT(r.high, 0.8);
  EXPECT_TRUE(r.few());
  EXPECT_FALSE(repeat_interval({1, 2, 3, 4, 5}).few());
}

TEST(RepeatInterval, RefusesQuantilesOutsideTheirDomain) {
  EXPECT_THROW(student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.5, 0), std::invalid_argument);
  EXPECT_DOUBLE_EQ(student_t_quantile(0.5, 4), 0.0);
}

}  // namespace
}  // namespace bigpe::engine
