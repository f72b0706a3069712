#include "models/core/noise_schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace bigpe::models {
namespace {

// The timesteps diffusers' set_timesteps makes, newest (noisiest) first.
// `integer` rounds linspace values as DDIM does; Euler keeps them fractional.
std::vector<double> make_timesteps(const SchedulerConfig& c, const std::string& spacing, int n, bool integer) {
  const int T = c.train_timesteps;
  std::vector<double> t(n);
  if (spacing == "linspace") {
    for (int k = 0; k < n; ++k) {
      double v = n == 1 ? 0.0 : (T - 1) * static_cast<double>(k) / (n - 1);
      t[n - 1 - k] = integer ? std::nearbyint(v) : v;  // numpy rounds half to even, as nearbyint does
    }
  } else if (spacing == "leading") {
    int ratio = T / n;
    for (int k = 0; k < n; ++k) t[n - 1 - k] = static_cast<double>(k * ratio + c.steps_offset);
  } else if (spacing == "trailing") {
    double ratio = static_cast<double>(T) / n;
    for (int k = 0; k < n; ++k) t[k] = std::nearbyint(T - k * ratio) - 1;
  } else {
    throw std::invalid_argument("timestep_spacing must be leading, linspace or trailing, got '" + spacing + "'");
  }
  return t;
}

// numpy.interp over the table at integer abscissae 0..size-1.
double interp(const std::vector<double>& table, double x) {
  if (x <= 0) return table.front();
  double last = static_cast<double>(table.size() - 1);
  if (x >= last) return table.back();
  auto i = static_cast<size_t>(std::floor(x));
  double f = x - static_cast<double>(i);
  return table[i] + f * (table[i + 1] - table[i]);
}

}  // namespace

void validate(const SchedulerConfig& c) {
  if (c.train_timesteps < 2 || c.train_timesteps > 100000)
    throw std::invalid_argument("train_timesteps must be in [2, 100000], got " + std::to_string(c.train_timesteps));
  if (!(c.beta_start > 0 && c.beta_end > c.beta_start && c.beta_end < 1))
    throw std::invalid_argument("expected 0 < beta_start < beta_end < 1");
  if (c.beta_schedule != "scaled_linear" && c.beta_schedule != "linear")
    throw std::invalid_argument("beta_schedule must be scaled_linear or linear, got '" + c.beta_schedule + "'");
  if (c.prediction != "epsilon" && c.prediction != "v_prediction")
    throw std::invalid_argument("prediction must be epsilon or v_prediction, got '" + c.prediction + "'");
  if (c.steps_offset < 0 || c.steps_offset >= c.train_timesteps)
    throw std::invalid_argument("steps_offset out of range: " + std::to_string(c.steps_offset));
  const std::string& s = c.timestep_spacing;
  if (!s.empty() && s != "leading" && s != "linspace" && s != "trailing")
    throw std::invalid_argument("timestep_spacing must be leading, linspace or trailing, got '" + s + "'");
}

std::vector<double> alphas_cumprod(const SchedulerConfig& c) {
  validate(c);
  const int T = c.train_timesteps;
  std::vector<double> out(T);
  double prod = 1.0;
  for (int i = 0; i < T; ++i) {
    double f = static_cast<double>(i) / (T - 1);
    double beta;
    if (c.beta_schedule == "scaled_linear") {
      double r = std::sqrt(c.beta_start) + (std::sqrt(c.beta_end) - std::sqrt(c.beta_start)) * f;
      beta = r * r;
    } else {
      beta = c.beta_start + (c.beta_end - c.beta_start) * f;
    }
    prod *= 1.0 - beta;
    out[i] = prod;
  }
  return out;
}

std::vector<double> sigma_table(const SchedulerConfig& c) {
  std::vector<double> a = alphas_cumprod(c);
  for (double& v : a) v = std::sqrt((1.0 - v) / v);
  return a;
}

const std::vector<std::string>& sampler_names() {
  static const std::vector<std::string> names = {"euler", "euler_a", "ddim"};
  return names;
}

const char* known_samplers() {
  static const std::string text = [] {
    std::string t;
    for (const std::string& n : sampler_names()) t += (t.empty() ? "" : ", ") + n;
    return t;
  }();
  return text.c_str();
}

SamplerPlan make_sampler_plan(const SchedulerConfig& c, const std::string& sampler, int steps) {
  validate(c);
  const std::vector<std::string>& names = sampler_names();
  if (std::find(names.begin(), names.end(), sampler) == names.end())
    throw std::invalid_argument("unknown sampler '" + sampler + "' (known: " + known_samplers() + ")");
  if (steps < 1 || steps > c.train_timesteps)
    throw std::invalid_argument("steps must be in [1, " + std::to_string(c.train_timesteps) + "], got " +
                                std::to_string(steps));
  const bool v_pred = c.prediction == "v_prediction";
  SamplerPlan plan;
  plan.sampler = sampler;

  if (sampler == "ddim") {
    plan.spacing = c.timestep_spacing.empty() ? "leading" : c.timestep_spacing;
    std::vector<double> ac = alphas_cumprod(c);
    std::vector<double> ts = make_timesteps(c, plan.spacing, steps, true);
    const double final_alpha = c.set_alpha_to_one ? 1.0 : ac[0];
    const int stride = c.train_timesteps / steps;
    for (double t : ts) {
      int ti = std::clamp(static_cast<int>(t), 0, c.train_timesteps - 1);
      int prev = static_cast<int>(t) - stride;
      double a = ac[ti], ap = prev >= 0 ? ac[prev] : final_alpha;
      double sa = std::sqrt(a), s1a = std::sqrt(1 - a), sap = std::sqrt(ap), s1ap = std::sqrt(1 - ap);
      SamplerStep s;
      s.timestep = t;
      if (v_pred) {
        // x0 = sa x - s1a v, eps = sa v + s1a x; x_prev = sap x0 + s1ap eps.
        s.x_coef = sap * sa + s1ap * s1a;
        s.out_coef = s1ap * sa - sap * s1a;
      } else {
        // x0 = (x - s1a eps) / sa; x_prev = sap x0 + s1ap eps.
        s.x_coef = sap / sa;
        s.out_coef = s1ap - sap * s1a / sa;
      }
      plan.steps.push_back(s);
    }
    plan.init_noise_sigma = 1.0;
    return plan;
  }

  plan.spacing = c.timestep_spacing.empty() ? "linspace" : c.timestep_spacing;
  std::vector<double> table = sigma_table(c);
  std::vector<double> ts = make_timesteps(c, plan.spacing, steps, false);
  std::vector<double> sigmas;
  for (double t : ts) sigmas.push_back(interp(table, t));
  sigmas.push_back(0.0);
  double max_sigma = *std::max_element(sigmas.begin(), sigmas.end());
  plan.init_noise_sigma =
      (plan.spacing == "linspace" || plan.spacing == "trailing") ? max_sigma : std::sqrt(max_sigma * max_sigma + 1);
  for (int i = 0; i < steps; ++i) {
    double sigma = sigmas[i], next = sigmas[i + 1];
    SamplerStep s;
    s.timestep = ts[i];
    s.sigma = sigma;
    s.input_scale = 1.0 / std::sqrt(sigma * sigma + 1);
    double target = next;
    if (sampler == "euler_a") {
      double up = std::sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
      target = std::sqrt(next * next - up * up);
      s.noise_coef = up;
    }
    double dt = target - sigma;
    if (v_pred) {
      // x0 = x/(sigma^2+1) - sigma/sqrt(sigma^2+1) v; d = (x - x0)/sigma.
      s.x_coef = 1 + dt * sigma / (sigma * sigma + 1);
      s.out_coef = dt / std::sqrt(sigma * sigma + 1);
    } else {
      // x0 = x - sigma eps; d = eps.
      s.x_coef = 1;
      s.out_coef = dt;
    }
    plan.steps.push_back(s);
  }
  return plan;
}

}  // namespace bigpe::models
