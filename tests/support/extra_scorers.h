#pragma once
// Two small, real scorers for tests of workers with several scorers, kept
// in tests/ (the factory's own second scorers are sim-judge and the
// libtorch ones): each computes its score, neither is a stand-in.
//
//   OtherTasteSimScorer  the sim-v1 score under another task: the
//                        sim.taste_seed the task names plus a fixed shift.
//                        Reads no pixels, like sim-v1.
//   MeanPixelScorer      the mean of an image's RGB bytes: reads pixels,
//                        so a stored image must come back as its PNG.
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "backends/scorer.h"
#include "backends/sim/sim_scorer.h"

namespace bigpe::testing {

class OtherTasteSimScorer final : public Scorer {
 public:
  OtherTasteSimScorer(std::shared_ptr<const sim::Vocabulary> vocabulary, long long shift, std::string name)
      : inner_(std::move(vocabulary)), shift_(shift), name_(std::move(name)) {}
  std::vector<double> score(const std::vector<Image>& images, const std::vector<std::string>& texts,
                            const schemas::RenderParams& params) override {
    schemas::RenderParams shifted = params;
    long long seed = 0;
    if (auto it = params.options.find("sim.taste_seed"); it != params.options.end()) seed = std::stoll(it->second);
    shifted.options["sim.taste_seed"] = std::to_string(seed + shift_);
    return inner_.score(images, texts, shifted);
  }
  std::string name() const override { return name_; }
  std::vector<std::string> option_names() const override { return inner_.option_names(); }
  std::string identity() const override {
    return "test-other-taste-v1;shift=" + std::to_string(shift_) + ";" + inner_.identity();
  }
  bool reads_pixels() const override { return false; }

 private:
  SimScorer inner_;
  long long shift_;
  std::string name_;
};

class MeanPixelScorer final : public Scorer {
 public:
  std::vector<double> score(const std::vector<Image>& images, const std::vector<std::string>&,
                            const schemas::RenderParams&) override {
    std::vector<double> out;
    for (const Image& im : images) {
      if (im.rgb.empty()) throw std::runtime_error("mean-pixel scorer: an image without pixels");
      out.push_back(std::accumulate(im.rgb.begin(), im.rgb.end(), 0.0) / static_cast<double>(im.rgb.size()));
    }
    return out;
  }
  std::string name() const override { return "mean-pixel"; }
  std::string identity() const override { return "test-mean-pixel-v1"; }
};

}  // namespace bigpe::testing
