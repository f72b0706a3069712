#include "models/torch/clip_towers.h"

#include <map>

#include "models/torch/clip_preprocess.h"
#include "models/torch/torch_support.h"

namespace bigpe::models {
namespace {

torch::Tensor normalized(torch::Tensor f) {
  f = f.to(torch::kFloat32);
  return f / f.norm(2, -1, true);
}

}  // namespace

ClipImageTower::ClipImageTower(const ModelManifest& m, const torch::Device& device)
    : file_(m.image_encoder),
      embed_dim_(m.embed_dim),
      device_(device),
      settings_(clip_preprocess_settings(m)),
      dtype_(module_dtype(m.image_encoder, m, device)),
      module_(load_module(m.image_encoder, device, dtype_)) {
  c10::InferenceMode inference;
  features_of_pixels(torch::zeros({1, 3, m.image_size, m.image_size}, torch::TensorOptions().device(device_)));
}

torch::Tensor ClipImageTower::features(const std::vector<Image>& images) {
  return features_of_pixels(clip_preprocess_images(images, settings_).to(device_));
}

torch::Tensor ClipImageTower::features_of_pixels(const torch::Tensor& pixels) {
  return normalized(expect_tensor(call_module(module_, {pixels.to(dtype_)}, file_.path), {pixels.size(0), embed_dim_},
                                  file_.path, "image features"));
}

ClipTextTower::ClipTextTower(const ModelManifest& m, const torch::Device& device)
    : file_(m.text_tower),
      embed_dim_(m.embed_dim),
      pad_id_(m.pad_id),
      context_length_(m.context_length),
      device_(device),
      tokenizer_(ClipTokenizer::load(m.vocab, m.vocab_merges)),
      dtype_(module_dtype(m.text_tower, m, device)),
      module_(load_module(m.text_tower, device, dtype_)) {
  c10::InferenceMode inference;
  encode({""});
}

torch::Tensor ClipTextTower::features(const std::vector<std::string>& texts) {
  std::map<std::string, int64_t> index;
  std::vector<std::string> distinct;
  std::vector<int64_t> row;
  for (const std::string& t : texts) {
    auto [it, added] = index.emplace(t, static_cast<int64_t>(distinct.size()));
    if (added) distinct.push_back(t);
    row.push_back(it->second);
  }
  return encode(distinct).index_select(0, torch::tensor(row, torch::kInt64).to(device_));
}

torch::Tensor ClipTextTower::encode(const std::vector<std::string>& distinct) {
  std::vector<int64_t> flat;
  for (const std::string& t : distinct) {
    std::vector<int64_t> ids = tokenizer_.tokenize(t, pad_id_, context_length_);
    flat.insert(flat.end(), ids.begin(), ids.end());
  }
  const auto n = static_cast<int64_t>(distinct.size());
  torch::Tensor ids = torch::tensor(flat, torch::kInt64).view({n, context_length_}).to(device_);
  return normalized(expect_tensor(call_module(module_, {ids}, file_.path), {n, embed_dim_}, file_.path,
                                  "text features"));
}

}  // namespace bigpe::models
