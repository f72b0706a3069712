// The torchscript-sd renderer: Stable Diffusion from a model folder of
// TorchScript modules (text encoder(s), UNet, VAE decoder), with the
// samplers of models/core/noise_schedule.h and classifier-free guidance in
// one batched UNet call. docs/model-reference.md section 3 has the
// algorithm; docs/models.md the module signatures this file relies on.
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <stdexcept>

#include "models/core/clip_tokenizer.h"
#include "models/model_backends.h"
#include "models/torch/torch_support.h"

namespace bigpe::models {
namespace {

// Conditioning for a list of texts: UNet context [n, L, H] and, for SDXL,
// the pooled text embedding [n, P] of the second encoder.
struct Conditioning {
  torch::Tensor context;
  torch::Tensor pooled;
};

class TorchScriptSdRenderer final : public Renderer {
 public:
  TorchScriptSdRenderer(ModelManifest manifest, torch::Device device)
      : m_(std::move(manifest)),
        device_(device),
        tokenizer_(ClipTokenizer::load(m_.vocab, m_.vocab_merges)) {
    te_dtype_ = module_dtype(m_.text_encoder, m_, device_);
    unet_dtype_ = module_dtype(m_.unet, m_, device_);
    vae_dtype_ = module_dtype(m_.vae_decoder, m_, device_);
    te_ = load_module(m_.text_encoder, device_, te_dtype_);
    if (is_sdxl(m_.family)) {
      te2_dtype_ = module_dtype(m_.text_encoder_2, m_, device_);
      te2_ = load_module(m_.text_encoder_2, device_, te2_dtype_);
    }
    unet_ = load_module(m_.unet, device_, unet_dtype_);
    vae_ = load_module(m_.vae_decoder, device_, vae_dtype_);
    probe();
  }

  std::string name() const override { return "torchscript-sd"; }

  std::string identity() const override {
    std::vector<std::pair<std::string, torch::ScalarType>> dtypes = {{"te", te_dtype_}};
    if (is_sdxl(m_.family)) dtypes.push_back({"te2", te2_dtype_});
    dtypes.push_back({"unet", unet_dtype_});
    dtypes.push_back({"vae", vae_dtype_});
    return "torchscript-sd-v" + std::to_string(kPipelineVersion) + ";family=" + family_name(m_.family) + ";" +
           run_identity(device_, dtypes);
  }

  schemas::RenderLimits limits() const override {
    schemas::RenderLimits l;
    l.family = family_name(m_.family);
    l.min_steps = 1;
    // SDXL-Turbo is distilled for 1 to 4 steps without guidance.
    const bool turbo = m_.family == ModelFamily::kSdxlTurbo;
    l.max_steps = turbo ? 4 : m_.scheduler.train_timesteps;
    if (turbo) l.max_guidance = 1.0;
    l.size_multiple = m_.vae_scale_factor;
    l.samplers = sampler_names();
    return l;
  }

  std::vector<Image> render(const std::vector<RenderRequest>& batch, const schemas::RenderParams& params) override {
    check(params);
    std::vector<Image> images;
    images.reserve(batch.size());
    // Chunks keep memory bounded; an image does not depend on its chunk
    // because every item has its own noise generator.
    for (size_t begin = 0; begin < batch.size(); begin += kMaxBatch) {
      size_t end = std::min(batch.size(), begin + kMaxBatch);
      std::vector<RenderRequest> chunk(batch.begin() + begin, batch.begin() + end);
      for (Image& img : render_chunk(chunk, params)) images.push_back(std::move(img));
    }
    return images;
  }

 private:
  static constexpr size_t kMaxBatch = 8;
  // The code version in identity(): bump it with any change here or in the
  // samplers (noise_schedule) that alters the images of a given model and
  // task, so that results of the old code are not served as the new one's.
  static constexpr int kPipelineVersion = 1;

  int context_dim() const { return m_.hidden_size + (is_sdxl(m_.family) ? m_.hidden_size_2 : 0); }
  bool guided(const schemas::RenderParams& p) const { return p.guidance > 1.0; }

  void check(const schemas::RenderParams& p) const {
    std::vector<schemas::RenderParamProblem> problems = schemas::render_param_problems(p, limits());
    if (!problems.empty()) {
      std::string why = "torchscript-sd: " + problems[0].field + ": " + problems[0].message;
      for (size_t i = 1; i < problems.size(); ++i) why += "; " + problems[i].field + ": " + problems[i].message;
      throw std::invalid_argument(why);
    }
    make_sampler_plan(m_.scheduler, p.sampler, p.steps);  // throws for a bad sampler or step count
  }

  torch::Tensor token_ids(const std::vector<std::string>& texts, long long pad_id) const {
    std::vector<int64_t> flat;
    for (const std::string& t : texts) {
      std::vector<int64_t> ids = tokenizer_.tokenize(t, pad_id, m_.context_length);
      flat.insert(flat.end(), ids.begin(), ids.end());
    }
    auto n = static_cast<int64_t>(texts.size());
    return torch::tensor(flat, torch::kInt64).view({n, m_.context_length}).to(device_);
  }

  Conditioning encode(const std::vector<std::string>& texts) {
    const auto n = static_cast<int64_t>(texts.size());
    const int64_t L = m_.context_length;
    torch::Tensor h1 = expect_tensor(call_module(te_, {token_ids(texts, m_.pad_id)}, m_.text_encoder.path),
                                     {n, L, m_.hidden_size}, m_.text_encoder.path, "hidden states");
    Conditioning c;
    if (!is_sdxl(m_.family)) {
      c.context = h1.to(unet_dtype_);
      return c;
    }
    c10::IValue out2 = call_module(te2_, {token_ids(texts, m_.pad_id_2)}, m_.text_encoder_2.path);
    if (!out2.isTuple() || out2.toTuple()->elements().size() != 2)
      throw std::runtime_error(m_.text_encoder_2.path + ": expected a tuple (hidden states [" + std::to_string(n) +
                               ", " + std::to_string(L) + ", " + std::to_string(m_.hidden_size_2) +
                               "], pooled embedding [" + std::to_string(n) + ", " +
                               std::to_string(m_.pooled_size) + "]), got a " + out2.tagKind());
    const auto& parts = out2.toTuple()->elements();
    torch::Tensor h2 = expect_tensor(parts[0], {n, L, m_.hidden_size_2}, m_.text_encoder_2.path, "hidden states");
    c.pooled = expect_tensor(parts[1], {n, m_.pooled_size}, m_.text_encoder_2.path, "pooled embedding")
                   .to(unet_dtype_);
    c.context = torch::cat({h1.to(unet_dtype_), h2.to(unet_dtype_)}, -1);
    return c;
  }

  // UNet output for latents x [N, C, h, w] at one timestep.
  torch::Tensor unet(const torch::Tensor& x, double timestep, const Conditioning& cond, int width, int height) {
    const int64_t n = x.size(0);
    std::vector<c10::IValue> in{x.to(unet_dtype_),
                                torch::full({n}, timestep, torch::TensorOptions().dtype(torch::kFloat32).device(device_)),
                                cond.context};
    if (is_sdxl(m_.family)) {
      // time ids: original size, crop top-left, target size (all the output size).
      torch::Tensor ids = torch::tensor({double(height), double(width), 0.0, 0.0, double(height), double(width)},
                                        torch::TensorOptions().dtype(torch::kFloat32))
                              .to(device_, unet_dtype_)
                              .unsqueeze(0)
                              .expand({n, 6});
      in.push_back(cond.pooled);
      in.push_back(ids.contiguous());
    }
    return expect_tensor(call_module(unet_, std::move(in), m_.unet.path), x.sizes().vec(), m_.unet.path,
                         "noise prediction")
        .to(torch::kFloat32);
  }

  std::vector<Image> render_chunk(const std::vector<RenderRequest>& batch, const schemas::RenderParams& p) {
    c10::InferenceMode inference;
    const auto B = static_cast<int64_t>(batch.size());
    const int64_t C = m_.latent_channels, h = p.height / m_.vae_scale_factor, w = p.width / m_.vae_scale_factor;
    const bool cfg = guided(p);
    SamplerPlan plan = make_sampler_plan(m_.scheduler, p.sampler, p.steps);

    std::vector<std::string> texts;
    for (const RenderRequest& r : batch) texts.push_back(r.prompt);
    Conditioning cond = encode(texts);
    if (cfg) {
      Conditioning uncond;
      if (p.negative.empty() && m_.zero_uncond_for_empty_negative) {
        uncond.context = torch::zeros_like(cond.context);
        if (cond.pooled.defined()) uncond.pooled = torch::zeros_like(cond.pooled);
      } else {
        Conditioning one = encode({p.negative});
        uncond.context = one.context.expand_as(cond.context);
        if (one.pooled.defined()) uncond.pooled = one.pooled.expand_as(cond.pooled);
      }
      cond.context = torch::cat({uncond.context, cond.context});
      if (cond.pooled.defined()) cond.pooled = torch::cat({uncond.pooled, cond.pooled});
    }

    // Every item draws its noise from its own CPU generator seeded with its
    // seed, so its image is the same alone, in any batch, on any device.
    std::vector<at::Generator> generators;
    for (const RenderRequest& r : batch) generators.push_back(at::detail::createCPUGenerator(static_cast<uint64_t>(r.seed)));
    auto draw = [&] {
      std::vector<torch::Tensor> noise;
      for (at::Generator& g : generators) noise.push_back(torch::randn({1, C, h, w}, g, torch::kFloat32));
      return torch::cat(noise).to(device_);
    };
    torch::Tensor x = draw() * plan.init_noise_sigma;

    for (const SamplerStep& s : plan.steps) {
      torch::Tensor in = x * s.input_scale;
      torch::Tensor out = unet(cfg ? torch::cat({in, in}) : in, s.timestep, cond, p.width, p.height);
      if (cfg) {
        torch::Tensor u = out.narrow(0, 0, B), c = out.narrow(0, B, B);
        out = u + (c - u) * p.guidance;
      }
      x = x * s.x_coef + out * s.out_coef;
      if (s.noise_coef != 0) x = x + draw() * s.noise_coef;
    }
    return decode(x, batch);
  }

  std::vector<Image> decode(const torch::Tensor& latents, const std::vector<RenderRequest>& batch) {
    const int64_t B = latents.size(0), f = m_.vae_scale_factor;
    torch::Tensor z = (latents / m_.latent_scale).to(vae_dtype_);
    torch::Tensor img = expect_tensor(call_module(vae_, {z}, m_.vae_decoder.path),
                                      {B, 3, latents.size(2) * f, latents.size(3) * f}, m_.vae_decoder.path, "image");
    // diffusers: (x / 2 + 0.5).clamp(0, 1), then (x * 255).round() to uint8.
    torch::Tensor rgb = (img.to(torch::kFloat32) / 2 + 0.5)
                            .clamp(0, 1)
                            .mul(255)
                            .round()
                            .to(torch::kUInt8)
                            .permute({0, 2, 3, 1})
                            .contiguous()
                            .cpu();
    std::vector<Image> images;
    const int height = static_cast<int>(rgb.size(1)), width = static_cast<int>(rgb.size(2));
    const size_t bytes = static_cast<size_t>(height) * width * 3;
    for (int64_t i = 0; i < B; ++i) {
      Image im;
      im.width = width;
      im.height = height;
      const uint8_t* src = rgb[i].data_ptr<uint8_t>();
      im.rgb.assign(src, src + bytes);
      im.prompt = batch[i].prompt;
      im.seed = batch[i].seed;
      images.push_back(std::move(im));
    }
    return images;
  }

  // One small call per module at load, so a wrong export fails here, with
  // the file named, rather than in the middle of an experiment.
  void probe() {
    c10::InferenceMode inference;
    Conditioning c = encode({""});
    const int64_t h = m_.default_size / m_.vae_scale_factor;
    torch::Tensor x = torch::zeros({2, m_.latent_channels, h, h}, torch::TensorOptions().device(device_));
    Conditioning two{torch::cat({c.context, c.context}), c.pooled.defined() ? torch::cat({c.pooled, c.pooled}) : c.pooled};
    if (two.context.size(2) != context_dim())
      throw std::runtime_error(m_.path + ": text encoders give context width " + std::to_string(two.context.size(2)) +
                               ", expected " + std::to_string(context_dim()));
    unet(x, 999.0, two, m_.default_size, m_.default_size);
    std::vector<RenderRequest> one(1);
    decode(x.narrow(0, 0, 1), one);
  }

  ModelManifest m_;
  torch::Device device_;
  ClipTokenizer tokenizer_;
  torch::jit::Module te_, te2_, unet_, vae_;
  torch::ScalarType te_dtype_ = torch::kFloat32, te2_dtype_ = torch::kFloat32;
  torch::ScalarType unet_dtype_ = torch::kFloat32, vae_dtype_ = torch::kFloat32;
};

}  // namespace

std::unique_ptr<Renderer> torch_make_sd_renderer(const std::string& model_dir, const std::string& device) {
  ModelManifest manifest = load_manifest(model_dir);
  if (!is_diffusion(manifest.family))
    throw std::runtime_error(manifest.path + ": family '" + family_name(manifest.family) +
                             "': the torchscript-sd renderer runs sd1, sd2, sd2-v, sdxl or sdxl-turbo models");
  return std::make_unique<TorchScriptSdRenderer>(std::move(manifest), parse_device(device));
}

}  // namespace bigpe::models
