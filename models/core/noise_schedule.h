#pragma once
// Stable Diffusion's discrete noise schedule and its samplers, as diffusers
// defines them (DDIMScheduler, EulerDiscreteScheduler,
// EulerAncestralDiscreteScheduler), reduced to numbers: every sampler step
// here is linear in the latent x and the UNet output (epsilon or v), so a
// step is
//     x <- x_coef * x + out_coef * out + noise_coef * noise
// with the UNet called on (input_scale * x, timestep). The renderer applies
// these coefficients to tensors; the arithmetic stays here, in double, free
// of libtorch and testable against a Python reference.
//
// Thread-safety: reentrant (pure functions).
#include <string>
#include <vector>

namespace bigpe::models {

struct SchedulerConfig {
  int train_timesteps = 1000;
  double beta_start = 0.00085;
  double beta_end = 0.012;
  std::string beta_schedule = "scaled_linear";  // or "linear"
  std::string prediction = "epsilon";           // or "v_prediction"
  int steps_offset = 1;
  // "leading", "linspace" or "trailing"; "" = the sampler's diffusers
  // default (ddim: leading, euler: linspace).
  std::string timestep_spacing;
  bool set_alpha_to_one = false;
};

// Throws std::invalid_argument naming the field that is out of range or
// unknown.
void validate(const SchedulerConfig& config);

// alpha-bar_t = prod_{i<=t} (1 - beta_i), t = 0 .. train_timesteps-1, with
// beta_i = (sqrt(b0) + (sqrt(b1) - sqrt(b0)) i/(T-1))^2 for scaled_linear.
std::vector<double> alphas_cumprod(const SchedulerConfig& config);
// sigma_t = sqrt((1 - alpha-bar_t) / alpha-bar_t).
std::vector<double> sigma_table(const SchedulerConfig& config);

struct SamplerStep {
  double timestep = 0;     // given to the UNet (fractional for Euler)
  double sigma = 0;        // Euler: the step's sigma; DDIM: 0
  double input_scale = 1;  // UNet input = input_scale * x
  double x_coef = 1;
  double out_coef = 0;
  double noise_coef = 0;   // ancestral samplers: fresh N(0,1) noise
};

struct SamplerPlan {
  std::string sampler;  // "euler", "euler_a" or "ddim"
  std::string spacing;  // the timestep spacing used
  double init_noise_sigma = 1;  // initial latent = init_noise_sigma * N(0,1)
  std::vector<SamplerStep> steps;
};

// The samplers this build knows: euler, euler_a, ddim (READY.limits lists
// them); known_samplers() is the same list for error messages.
const std::vector<std::string>& sampler_names();
const char* known_samplers();

// The plan for `steps` steps. Throws std::invalid_argument naming the
// sampler when unknown, or when steps is < 1 or > train_timesteps.
SamplerPlan make_sampler_plan(const SchedulerConfig& config, const std::string& sampler, int steps);

}  // namespace bigpe::models
