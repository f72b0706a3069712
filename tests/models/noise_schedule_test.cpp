// Noise schedules and sampler steps against a reference that Debian's
// python3-torch computes during the test
// (tests/models/reference/noise_schedule_reference.py: diffusers' DDIM,
// Euler and Euler-ancestral written as x0 prediction + step, float64), and
// against the constants in docs/model-reference.md section 3.2.
#include "models/core/noise_schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "tests/models/support/model_test_support.h"

namespace bigpe::models {
namespace {

using Table = std::map<std::string, std::vector<double>>;

const Table& reference() {
  static Table table = [] {
    Table t;
    std::string out;
    std::string script = testing::source_dir() + "/tests/models/reference/noise_schedule_reference.py";
    if (testing::run_shell(testing::python() + " " + script, &out) != 0) return t;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string name;
      fields >> name;
      double v;
      while (fields >> v) t[name].push_back(v);
    }
    return t;
  }();
  return table;
}

class NoiseScheduleReference : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = testing::python_torch_problem();
    if (!why.empty()) GTEST_SKIP() << why;
    ASSERT_FALSE(reference().empty()) << "the reference script printed nothing";
  }
  static const std::vector<double>& ref(const std::string& key) {
    static const std::vector<double> none;
    auto it = reference().find(key);
    return it == reference().end() ? none : it->second;
  }
};

TEST(NoiseSchedule, MatchesTheDocumentedConstants) {
  SchedulerConfig c;
  std::vector<double> ac = alphas_cumprod(c);
  ASSERT_EQ(ac.size(), 1000u);
  EXPECT_NEAR(ac[0], 0.99915, 1e-12);
  EXPECT_NEAR(ac[1], 0.998296, 1e-6);
  EXPECT_NEAR(ac[999], 0.0046601, 1e-7);
  std::vector<double> sigmas = sigma_table(c);
  EXPECT_NEAR(sigmas.front(), 0.0291672, 1e-7);
  EXPECT_NEAR(sigmas.back(), 14.614641, 1e-6);
}

TEST(NoiseSchedule, DdimLeadingFiftyStepsAreTheDiffusersTimesteps) {
  SamplerPlan plan = make_sampler_plan(SchedulerConfig{}, "ddim", 50);
  ASSERT_EQ(plan.steps.size(), 50u);
  EXPECT_EQ(plan.steps.front().timestep, 981);
  EXPECT_EQ(plan.steps[1].timestep, 961);
  EXPECT_EQ(plan.steps.back().timestep, 1);
  EXPECT_EQ(plan.init_noise_sigma, 1.0);
}

TEST(NoiseSchedule, TurboSingleTrailingStepStartsAtTheLastTimestep) {
  SchedulerConfig c;
  c.timestep_spacing = "trailing";
  SamplerPlan plan = make_sampler_plan(c, "euler", 1);
  ASSERT_EQ(plan.steps.size(), 1u);
  EXPECT_EQ(plan.steps[0].timestep, 999);
  EXPECT_NEAR(plan.init_noise_sigma, 14.614641, 1e-6);
  // One Euler step to sigma 0 from x = sigma * noise lands on x0 = x - sigma * eps.
  EXPECT_NEAR(plan.steps[0].out_coef, -plan.steps[0].sigma, 1e-12);
}

TEST(NoiseSchedule, RejectsUnknownSamplersAndStepCounts) {
  EXPECT_THROW(make_sampler_plan(SchedulerConfig{}, "heun", 4), std::invalid_argument);
  EXPECT_THROW(make_sampler_plan(SchedulerConfig{}, "euler", 0), std::invalid_argument);
  EXPECT_THROW(make_sampler_plan(SchedulerConfig{}, "ddim", 1001), std::invalid_argument);
  SchedulerConfig bad;
  bad.prediction = "sample";
  EXPECT_THROW(validate(bad), std::invalid_argument);
}

TEST_F(NoiseScheduleReference, AlphasCumprodMatch) {
  std::vector<double> ours = alphas_cumprod(SchedulerConfig{});
  const std::vector<double>& theirs = ref("alphas_cumprod");
  ASSERT_EQ(ours.size(), theirs.size());
  for (size_t i = 0; i < ours.size(); ++i) ASSERT_NEAR(ours[i], theirs[i], 1e-12) << i;
}

struct Case {
  const char* name;
  const char* sampler;
  const char* prediction;
  const char* spacing;
  int steps;
};

TEST_F(NoiseScheduleReference, SamplerStepsMatchOnFixedTensors) {
  const Case cases[] = {
      {"euler_eps_linspace_4", "euler", "epsilon", "linspace", 4},
      {"euler_v_linspace_3", "euler", "v_prediction", "linspace", 3},
      {"euler_eps_leading_5", "euler", "epsilon", "leading", 5},
      {"euler_eps_trailing_1", "euler", "epsilon", "trailing", 1},
      {"euler_v_trailing_2", "euler", "v_prediction", "trailing", 2},
      {"euler_a_eps_trailing_4", "euler_a", "epsilon", "trailing", 4},
      {"euler_a_v_leading_3", "euler_a", "v_prediction", "leading", 3},
      {"ddim_eps_leading_5", "ddim", "epsilon", "leading", 5},
      {"ddim_v_leading_4", "ddim", "v_prediction", "leading", 4},
      {"ddim_eps_trailing_3", "ddim", "epsilon", "trailing", 3},
      {"ddim_eps_linspace_7", "ddim", "epsilon", "linspace", 7},
      {"ddim_eps_leading_50", "ddim", "epsilon", "leading", 50},
  };
  const int n = 16;
  for (const Case& c : cases) {
    SchedulerConfig config;
    config.prediction = c.prediction;
    config.timestep_spacing = c.spacing;
    SamplerPlan plan = make_sampler_plan(config, c.sampler, c.steps);
    const std::string name = c.name;

    const std::vector<double>& ts = ref(name + ".timesteps");
    ASSERT_EQ(ts.size(), plan.steps.size()) << name;
    for (size_t k = 0; k < ts.size(); ++k) EXPECT_NEAR(plan.steps[k].timestep, ts[k], 1e-9) << name << " step " << k;
    if (std::string(c.sampler) != "ddim") {
      const std::vector<double>& sig = ref(name + ".sigmas");
      ASSERT_EQ(sig.size(), plan.steps.size() + 1) << name;
      for (size_t k = 0; k < plan.steps.size(); ++k) EXPECT_NEAR(plan.steps[k].sigma, sig[k], 1e-9) << name;
    }
    ASSERT_EQ(ref(name + ".init").size(), 1u) << name;
    EXPECT_NEAR(plan.init_noise_sigma, ref(name + ".init")[0], 1e-9) << name;

    // The same fixed start, model and noise as the Python side.
    std::vector<double> x(n);
    for (int i = 0; i < n; ++i) x[i] = std::sin(0.1 * i + 0.3) * plan.init_noise_sigma;
    for (size_t k = 0; k < plan.steps.size(); ++k) {
      const SamplerStep& s = plan.steps[k];
      for (int i = 0; i < n; ++i) {
        double out = 0.5 * (s.input_scale * x[i]) + 0.1 * std::cos(i + s.timestep / 100.0);
        double noise = std::cos(1.3 * i + 0.7 * static_cast<double>(k));
        x[i] = s.x_coef * x[i] + s.out_coef * out + s.noise_coef * noise;
      }
    }
    const std::vector<double>& want = ref(name + ".x");
    ASSERT_EQ(want.size(), static_cast<size_t>(n)) << name;
    for (int i = 0; i < n; ++i) EXPECT_NEAR(x[i], want[i], 1e-9 * (1 + std::fabs(want[i]))) << name << " element " << i;
  }
}

}  // namespace
}  // namespace bigpe::models
