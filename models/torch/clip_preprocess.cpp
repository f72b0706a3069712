#include "models/torch/clip_preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "models/torch/torch_entry_points.h"

namespace bigpe::models {
namespace {

void check_image(const Image& image) {
  if (image.width < 1 || image.height < 1 ||
      image.rgb.size() != static_cast<size_t>(image.width) * image.height * 3)
    throw std::invalid_argument("CLIP preprocessing: expected an RGB image of width*height*3 bytes, got " +
                                std::to_string(image.width) + "x" + std::to_string(image.height) + " with " +
                                std::to_string(image.rgb.size()) + " bytes");
}

// open_clip's ResizeMaxSize on x [N,3,H,W] in [0,1]: Python's round() of
// dim * (S / max(H, W)) is round half to even, as nearbyint is; skipped
// when the scale is exactly 1. torchvision < 0.17 resizes tensors without
// antialias; bicubic on float input is not clamped.
torch::Tensor resize_longest_and_pad(torch::Tensor x, int64_t S) {
  const int64_t H = x.size(2), W = x.size(3);
  const double scale = static_cast<double>(S) / static_cast<double>(std::max(H, W));
  if (scale == 1.0) return x;
  const auto nh = static_cast<int64_t>(std::nearbyint(static_cast<double>(H) * scale));
  const auto nw = static_cast<int64_t>(std::nearbyint(static_cast<double>(W) * scale));
  x = at::upsample_bicubic2d(x, {nh, nw}, /*align_corners=*/false);
  const int64_t ph = S - nh, pw = S - nw;
  return at::constant_pad_nd(x, {pw / 2, pw - pw / 2, ph / 2, ph - ph / 2}, 0);
}

// Rounded to 8-bit levels as PIL stores each pass (half up, clipped).
torch::Tensor to_levels(const torch::Tensor& x) { return x.add(0.5).floor().clamp(0, 255); }

// Python's round(d / 2.0) for d >= 0: halves go to the even neighbour.
int64_t half_round_even(int64_t d) { return d / 2 + ((d % 2) && ((d / 2) % 2) ? 1 : 0); }

// PIL's Image.resize(BICUBIC) of the shorter side to S, then a centre crop,
// on x [N,3,H,W] holding 8-bit levels. torchvision and Hugging Face size
// the longer side as int(S * long / short); the quotient of two exact
// integers is correctly rounded in C++ as in Python. PIL resamples the
// width, stores 8 bits, then the height; torch's antialiased bicubic has
// PIL's kernel (a = -0.5, support widened by the scale when shrinking), so
// only PIL's fixed-point weights remain: one level on a few pixels in a
// thousand, two on a few in 10^5 (a first-pass level grown by the second).
torch::Tensor resize_shortest_and_crop(torch::Tensor x, int64_t S, bool round_crop) {
  const int64_t H = x.size(2), W = x.size(3);
  const int64_t shorter = std::min(H, W), longer = std::max(H, W);
  const auto new_long = static_cast<int64_t>(static_cast<double>(S * longer) / static_cast<double>(shorter));
  const int64_t nh = W <= H ? new_long : S, nw = W <= H ? S : new_long;
  if (nw != W) x = to_levels(at::_upsample_bicubic2d_aa(x, {H, nw}, /*align_corners=*/false));
  if (nh != H) x = to_levels(at::_upsample_bicubic2d_aa(x, {nh, nw}, /*align_corners=*/false));
  const int64_t top = round_crop ? half_round_even(nh - S) : (nh - S) / 2;
  const int64_t left = round_crop ? half_round_even(nw - S) : (nw - S) / 2;
  return x.narrow(2, top, S).narrow(3, left, S);
}

// [N, 3, S, S] from [N, H, W, 3] uint8 images of one size.
torch::Tensor preprocess_batch(const torch::Tensor& rgb, const ClipPreprocessSettings& s) {
  torch::Tensor x = rgb.permute({0, 3, 1, 2}).to(torch::kFloat32);
  if (s.method == ClipPreprocess::kOpenClipMaxSize)
    x = resize_longest_and_pad(x.div(255), s.image_size);  // ToTensor comes before the resize
  else
    x = resize_shortest_and_crop(x, s.image_size, s.method == ClipPreprocess::kOpenAiClip).div(255);
  torch::Tensor mean = torch::tensor({float(s.mean[0]), float(s.mean[1]), float(s.mean[2])}).view({1, 3, 1, 1});
  torch::Tensor std = torch::tensor({float(s.std[0]), float(s.std[1]), float(s.std[2])}).view({1, 3, 1, 1});
  return x.sub(mean).div(std).contiguous();
}

torch::Tensor preprocess_one(const Image& image, const ClipPreprocessSettings& s) {
  check_image(image);
  return preprocess_batch(torch::from_blob(const_cast<uint8_t*>(image.rgb.data()),
                                           {1, image.height, image.width, 3}, torch::kUInt8),
                          s);
}

}  // namespace

ClipPreprocessSettings clip_preprocess_settings(const ModelManifest& m) {
  ClipPreprocessSettings s;
  s.method = m.family == ModelFamily::kPickscore   ? ClipPreprocess::kHfClipProcessor
             : m.family == ModelFamily::kAesthetic ? ClipPreprocess::kOpenAiClip
                                                   : ClipPreprocess::kOpenClipMaxSize;
  s.image_size = m.image_size;
  for (int c = 0; c < 3; ++c) {
    s.mean[c] = m.mean[c];
    s.std[c] = m.std[c];
  }
  return s;
}

torch::Tensor clip_preprocess_images(const std::vector<Image>& images, const ClipPreprocessSettings& s) {
  if (images.empty()) return torch::empty({0, 3, s.image_size, s.image_size});
  bool one_size = true;
  for (const Image& im : images) {
    check_image(im);
    one_size = one_size && im.width == images.front().width && im.height == images.front().height;
  }
  if (!one_size) {
    std::vector<torch::Tensor> pixels;
    for (const Image& im : images) pixels.push_back(preprocess_one(im, s));
    return torch::cat(pixels);
  }
  const int64_t n = static_cast<int64_t>(images.size()), H = images.front().height, W = images.front().width;
  torch::Tensor rgb = torch::empty({n, H, W, 3}, torch::kUInt8);
  const size_t bytes = static_cast<size_t>(H * W * 3);
  for (int64_t i = 0; i < n; ++i) std::memcpy(rgb[i].data_ptr<uint8_t>(), images[i].rgb.data(), bytes);
  return preprocess_batch(rgb, s);
}

std::vector<float> torch_clip_preprocess(const Image& image, const ClipPreprocessSettings& settings) {
  c10::InferenceMode inference;
  torch::Tensor x = preprocess_one(image, settings);
  return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
}

}  // namespace bigpe::models
