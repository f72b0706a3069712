// The hpsv2 scorer: HPS v2 = 100 x cosine(image features, text features)
// from open_clip ViT-H-14 towers exported to TorchScript, with the exact
// preprocessing of the HPSv2 repository (docs/model-reference.md
// section 1). Also torch_hps_preprocess(), the same preprocessing on the CPU.
#include <cmath>
#include <cstring>
#include <map>
#include <stdexcept>

#include "models/core/clip_tokenizer.h"
#include "models/model_backends.h"
#include "models/torch/torch_support.h"

#include <torch/cuda.h>
#include <torch/version.h>

namespace bigpe::models {
namespace {

void check_image(const Image& image) {
  if (image.width < 1 || image.height < 1 ||
      image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw std::invalid_argument("HPS preprocessing: expected an RGB image of width*height*3 bytes, got " +
                                std::to_string(image.width) + "x" + std::to_string(image.height) + " with " +
                                std::to_string(image.rgb.size()) + " bytes");
}

// [N, 3, S, S] float32 on the CPU from [N, H, W, 3] uint8 images of one
// size, as open_clip's image_transform with resize_longest_max=True
// computes it (ToTensor, ResizeMaxSize, Normalize). Each image is
// resized on its own plane, so a batch gives each image what it gets alone.
torch::Tensor preprocess_batch(const torch::Tensor& rgb, const HpsPreprocessSettings& s) {
  const int64_t H = rgb.size(1), W = rgb.size(2), S = s.image_size;
  torch::Tensor x = rgb.permute({0, 3, 1, 2}).to(torch::kFloat32).div(255);
  // ResizeMaxSize: Python's round() of dim * (S / max(H, W)) is round half
  // to even, as nearbyint is; skipped when the scale is exactly 1.
  const double scale = static_cast<double>(S) / static_cast<double>(std::max(H, W));
  if (scale != 1.0) {
    const auto nh = static_cast<int64_t>(std::nearbyint(static_cast<double>(H) * scale));
    const auto nw = static_cast<int64_t>(std::nearbyint(static_cast<double>(W) * scale));
    // torchvision < 0.17 resizes tensors without antialias; bicubic on
    // float input is not clamped.
    x = at::upsample_bicubic2d(x, {nh, nw}, /*align_corners=*/false);
    const int64_t ph = S - nh, pw = S - nw;
    x = at::constant_pad_nd(x, {pw / 2, pw - pw / 2, ph / 2, ph - ph / 2}, 0);
  }
  torch::Tensor mean = torch::tensor({float(s.mean[0]), float(s.mean[1]), float(s.mean[2])}).view({1, 3, 1, 1});
  torch::Tensor std = torch::tensor({float(s.std[0]), float(s.std[1]), float(s.std[2])}).view({1, 3, 1, 1});
  return x.sub(mean).div(std).contiguous();
}

// [1, 3, S, S] for one image.
torch::Tensor preprocess_tensor(const Image& image, const HpsPreprocessSettings& s) {
  check_image(image);
  return preprocess_batch(torch::from_blob(const_cast<uint8_t*>(image.rgb.data()),
                                           {1, image.height, image.width, 3}, torch::kUInt8),
                          s);
}

// The images in one batch when they share a size (a task's renders do),
// else one at a time.
torch::Tensor preprocess_all(const std::vector<Image>& images, const HpsPreprocessSettings& s) {
  bool one_size = true;
  for (const Image& im : images) {
    check_image(im);
    one_size = one_size && im.width == images.front().width && im.height == images.front().height;
  }
  if (!one_size) {
    std::vector<torch::Tensor> pixels;
    for (const Image& im : images) pixels.push_back(preprocess_tensor(im, s));
    return torch::cat(pixels);
  }
  const int64_t n = static_cast<int64_t>(images.size()), H = images.front().height, W = images.front().width;
  torch::Tensor rgb = torch::empty({n, H, W, 3}, torch::kUInt8);
  const size_t bytes = static_cast<size_t>(H * W * 3);
  for (int64_t i = 0; i < n; ++i) std::memcpy(rgb[i].data_ptr<uint8_t>(), images[i].rgb.data(), bytes);
  return preprocess_batch(rgb, s);
}

class Hpsv2Scorer final : public Scorer {
 public:
  Hpsv2Scorer(ModelManifest manifest, torch::Device device)
      : m_(std::move(manifest)), device_(device), tokenizer_(ClipTokenizer::load(m_.vocab, m_.vocab_merges)) {
    settings_.image_size = m_.image_size;
    for (int c = 0; c < 3; ++c) {
      settings_.mean[c] = m_.mean[c];
      settings_.std[c] = m_.std[c];
    }
    image_dtype_ = module_dtype(m_.image_encoder, m_, device_);
    text_dtype_ = module_dtype(m_.text_tower, m_, device_);
    image_ = load_module(m_.image_encoder, device_, image_dtype_);
    text_ = load_module(m_.text_tower, device_, text_dtype_);
    probe();
  }

  std::string name() const override { return "hpsv2"; }

  // The code version (bump it with any change to preprocessing or scoring
  // that alters scores), the device kind and the towers' dtypes.
  std::string identity() const override {
    return "hpsv2-v1;" + run_identity(device_, {{"image", image_dtype_}, {"text", text_dtype_}});
  }

  std::vector<double> score(const std::vector<Image>& images, const std::vector<std::string>& texts,
                            const schemas::RenderParams&) override {
    if (images.size() != texts.size())
      throw std::invalid_argument("hpsv2: " + std::to_string(images.size()) + " images but " +
                                  std::to_string(texts.size()) + " texts");
    if (images.empty()) return {};
    c10::InferenceMode inference;
    torch::Tensor f_img = image_features(preprocess_all(images, settings_).to(device_));

    // A task usually scores many images against few texts: encode each
    // distinct text once.
    std::map<std::string, int64_t> index;
    std::vector<std::string> unique;
    std::vector<int64_t> row;
    for (const std::string& t : texts) {
      auto [it, added] = index.emplace(t, static_cast<int64_t>(unique.size()));
      if (added) unique.push_back(t);
      row.push_back(it->second);
    }
    torch::Tensor f_txt = text_features(unique).index_select(0, torch::tensor(row, torch::kInt64).to(device_));
    torch::Tensor cos = (f_img * f_txt).sum(-1).mul(100).cpu().to(torch::kFloat64);
    return std::vector<double>(cos.data_ptr<double>(), cos.data_ptr<double>() + cos.numel());
  }

 private:
  // L2-normalized float32 features [n, embed_dim].
  torch::Tensor image_features(const torch::Tensor& pixels) {
    torch::Tensor f = expect_tensor(call_module(image_, {pixels.to(image_dtype_)}, m_.image_encoder.path),
                                    {pixels.size(0), m_.embed_dim}, m_.image_encoder.path, "image features");
    f = f.to(torch::kFloat32);
    return f / f.norm(2, -1, true);
  }

  torch::Tensor text_features(const std::vector<std::string>& texts) {
    std::vector<int64_t> flat;
    for (const std::string& t : texts) {
      std::vector<int64_t> ids = tokenizer_.tokenize(t, m_.pad_id, m_.context_length);
      flat.insert(flat.end(), ids.begin(), ids.end());
    }
    const auto n = static_cast<int64_t>(texts.size());
    torch::Tensor ids = torch::tensor(flat, torch::kInt64).view({n, m_.context_length}).to(device_);
    torch::Tensor f = expect_tensor(call_module(text_, {ids}, m_.text_tower.path), {n, m_.embed_dim},
                                    m_.text_tower.path, "text features");
    f = f.to(torch::kFloat32);
    return f / f.norm(2, -1, true);
  }

  void probe() {
    c10::InferenceMode inference;
    image_features(torch::zeros({1, 3, m_.image_size, m_.image_size}, torch::TensorOptions().device(device_)));
    text_features({""});
  }

  ModelManifest m_;
  torch::Device device_;
  ClipTokenizer tokenizer_;
  HpsPreprocessSettings settings_;
  torch::jit::Module image_, text_;
  torch::ScalarType image_dtype_ = torch::kFloat32, text_dtype_ = torch::kFloat32;
};

}  // namespace

std::vector<float> torch_hps_preprocess(const Image& image, const HpsPreprocessSettings& settings) {
  c10::InferenceMode inference;
  torch::Tensor x = preprocess_tensor(image, settings);
  return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
}

std::unique_ptr<Scorer> torch_make_hpsv2_scorer(const std::string& model_dir, const std::string& device) {
  ModelManifest manifest = load_manifest(model_dir);
  if (manifest.family != ModelFamily::kHpsv2)
    throw std::runtime_error(manifest.path + ": family '" + family_name(manifest.family) +
                             "': the hpsv2 scorer needs a model folder of family hpsv2");
  return std::make_unique<Hpsv2Scorer>(std::move(manifest), parse_device(device));
}

std::string torch_build_summary_text() {
  return std::string("libtorch ") + TORCH_VERSION + ", CUDA: " +
         (torch::cuda::is_available() ? std::to_string(torch::cuda::device_count()) + " device(s)" : "no");
}

int torch_cuda_device_count() {
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

}  // namespace bigpe::models
