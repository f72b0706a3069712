#include "bench/models/python_baseline.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "models/core/clip_tokenizer.h"

namespace bigpe::models {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string ids_row(const ClipTokenizer& t, const std::string& text, long long pad, int context) {
  std::string out = "[";
  for (int64_t id : t.tokenize(text, pad, context)) out += (out.size() > 1 ? "," : "") + std::to_string(id);
  return out + "]";
}

std::string ids_rows(const ClipTokenizer& t, const std::vector<std::string>& texts, long long pad, int context) {
  std::string out = "[";
  for (const std::string& s : texts) out += (out.size() > 1 ? "," : "") + ids_row(t, s, pad, context);
  return out + "]";
}

// "module:dtype" pairs of an identity's "dtype=a:x,b:y;" part, as JSON
// members "dtype_a":"x".
std::string dtypes(const std::string& identity) {
  std::string out;
  const auto at = identity.find("dtype=");
  if (at == std::string::npos) return out;
  const std::string list = identity.substr(at + 6, identity.find(';', at) - at - 6);
  std::stringstream ss(list);
  std::string pair;
  while (std::getline(ss, pair, ',')) {
    const auto colon = pair.find(':');
    if (colon != std::string::npos)
      out += ",\"dtype_" + pair.substr(0, colon) + "\":" + quoted(pair.substr(colon + 1));
  }
  return out;
}

// The plan as JSON (python_driver.py reads it).
std::string plan_json(const PythonBaselineRequest& r) {
  const ModelManifest& m = *r.model;
  const schemas::RenderParams& p = r.params;
  ClipTokenizer tok = ClipTokenizer::load(m.vocab, m.vocab_merges);
  SamplerPlan plan = make_sampler_plan(m.scheduler, p.sampler, p.steps);
  std::ostringstream j;
  j << "{\"device\":" << quoted(r.device) << ",\"seconds\":" << number(r.seconds)
    << ",\"batch\":" << r.prompts.size() << ",\"text_encoder\":" << quoted(m.text_encoder.path)
    << ",\"unet\":" << quoted(m.unet.path) << ",\"vae_decoder\":" << quoted(m.vae_decoder.path)
    << ",\"latent_channels\":" << m.latent_channels << ",\"latent_h\":" << p.height / m.vae_scale_factor
    << ",\"latent_w\":" << p.width / m.vae_scale_factor << ",\"width\":" << p.width << ",\"height\":" << p.height
    << ",\"latent_scale\":" << number(m.latent_scale) << ",\"guidance\":" << number(p.guidance)
    << ",\"zero_uncond\":" << (p.negative.empty() && m.zero_uncond_for_empty_negative ? "true" : "false")
    << ",\"init_noise_sigma\":" << number(plan.init_noise_sigma)
    << ",\"ids\":" << ids_rows(tok, r.prompts, m.pad_id, m.context_length)
    << ",\"negative_ids\":" << ids_row(tok, p.negative, m.pad_id, m.context_length);
  if (is_sdxl(m.family))
    j << ",\"text_encoder_2\":" << quoted(m.text_encoder_2.path)
      << ",\"ids_2\":" << ids_rows(tok, r.prompts, m.pad_id_2, m.context_length)
      << ",\"negative_ids_2\":" << ids_row(tok, p.negative, m.pad_id_2, m.context_length);
  j << ",\"seeds\":[";
  for (size_t i = 0; i < r.seeds.size(); ++i) j << (i ? "," : "") << r.seeds[i];
  j << "],\"steps\":[";
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const SamplerStep& s = plan.steps[i];
    j << (i ? "," : "") << "{\"timestep\":" << number(s.timestep) << ",\"input_scale\":" << number(s.input_scale)
      << ",\"x_coef\":" << number(s.x_coef) << ",\"out_coef\":" << number(s.out_coef)
      << ",\"noise_coef\":" << number(s.noise_coef) << "}";
  }
  j << "]";
  if (r.scorer) {
    const ModelManifest& h = *r.scorer;
    ClipTokenizer htok = ClipTokenizer::load(h.vocab, h.vocab_merges);
    // One text for the whole batch, as a task scores against its query.
    j << ",\"image_tower\":" << quoted(h.image_encoder.path) << ",\"text_tower\":" << quoted(h.text_tower.path)
      << ",\"hps_ids\":" << ids_rows(htok, {r.score_text}, h.pad_id, h.context_length)
      << ",\"hps_size\":" << h.image_size << ",\"hps_mean\":[" << number(h.mean[0]) << "," << number(h.mean[1])
      << "," << number(h.mean[2]) << "],\"hps_std\":[" << number(h.std[0]) << "," << number(h.std[1]) << ","
      << number(h.std[2]) << "]";
  }
  j << dtypes(r.renderer_identity) << dtypes(r.scorer_identity) << "}\n";
  return j.str();
}

}  // namespace

PythonBaselineResult run_python_baseline(const PythonBaselineRequest& r) {
  PythonBaselineResult res;
  char dir_template[] = "/tmp/bigpe-python-baseline-XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    res.why = "cannot make a folder for the plan";
    return res;
  }
  const std::string dir = dir_template, plan_path = dir + "/plan.json", log_path = dir + "/driver.log";
  std::ofstream(plan_path) << plan_json(r);
  const std::string driver = std::string(BIGPE_SOURCE_DIR) + "/bench/models/python/python_driver.py";
  const std::string cmd = "'" + r.python + "' -B '" + driver + "' '" + plan_path + "' >'" + log_path + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  std::ifstream log(log_path);
  std::string line, last;
  while (std::getline(log, line)) {
    int rounds = 0;
    if (std::sscanf(line.c_str(), "python: %lf images/s (%d rounds)", &res.images_per_s, &rounds) == 2)
      res.ran = true;
    last += line + "\n";
  }
  if (rc != 0 || !res.ran) {
    res.ran = false;
    res.why = last.size() > 600 ? last.substr(last.size() - 600) : last;
  }
  std::remove(plan_path.c_str());
  std::remove(log_path.c_str());
  ::rmdir(dir.c_str());
  return res;
}

}  // namespace bigpe::models
