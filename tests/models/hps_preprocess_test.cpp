// HPS v2 preprocessing in C++ (models/model_backends.h hps_preprocess)
// against torchvision on the same image, within 1e-5: square images that
// only resize, non-square ones that resize and pad, upscaling, and the
// 224x224 case that skips the resize.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "models/model_backends.h"
#include "tests/models/support/model_test_support.h"

namespace bigpe::models {
namespace {

Image pattern_image(int width, int height, unsigned seed) {
  Image im;
  im.width = width;
  im.height = height;
  im.rgb.resize(static_cast<size_t>(width) * height * 3);
  unsigned s = seed;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) {
        s = s * 1103515245u + 12345u;
        // Smooth gradients plus noise, so both flat and sharp regions occur.
        int v = (x * 255 / std::max(1, width - 1) + y * (c + 1) * 7 + static_cast<int>((s >> 16) % 64)) % 256;
        im.rgb[(static_cast<size_t>(y) * width + x) * 3 + c] = static_cast<uint8_t>(v);
      }
  return im;
}

TEST(HpsPreprocess, MatchesTorchvisionWithin1e5) {
  std::string why = testing::python_torch_problem(true);
  if (!why.empty()) GTEST_SKIP() << why;
  const std::pair<int, int> sizes[] = {{512, 512}, {224, 224}, {300, 200}, {150, 401}, {100, 60}, {7, 5}};
  testing::ScratchDir dir("hps");
  std::string command = testing::python() + " " + testing::source_dir() +
                        "/tests/models/reference/hps_preprocess_reference.py";
  std::vector<Image> images;
  for (auto [w, h] : sizes) {
    images.push_back(pattern_image(w, h, 7u + static_cast<unsigned>(w * 31 + h)));
    std::string stem = dir.file(std::to_string(w) + "x" + std::to_string(h));
    testing::write_text(stem + ".rgb", std::string(images.back().rgb.begin(), images.back().rgb.end()));
    command += " " + stem + ".rgb " + std::to_string(w) + " " + std::to_string(h) + " " + stem + ".f32";
  }
  std::string out;
  ASSERT_EQ(testing::run_shell(command, &out), 0) << out;

  for (size_t k = 0; k < images.size(); ++k) {
    const Image& im = images[k];
    std::string name = std::to_string(im.width) + "x" + std::to_string(im.height);
    std::string bytes = testing::read_text(dir.file(name + ".f32"));
    ASSERT_EQ(bytes.size(), 3u * 224 * 224 * sizeof(float)) << name;
    std::vector<float> want(3 * 224 * 224);
    std::memcpy(want.data(), bytes.data(), bytes.size());
    std::vector<float> got = hps_preprocess(im);
    ASSERT_EQ(got.size(), want.size()) << name;
    double worst = 0;
    size_t worst_at = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      double d = std::fabs(double(got[i]) - double(want[i]));
      if (d > worst) worst = d, worst_at = i;
    }
    EXPECT_LE(worst, 1e-5) << name << ": largest difference at element " << worst_at << " (" << got[worst_at]
                           << " vs " << want[worst_at] << ")";
  }
}

TEST(HpsPreprocessShape, PadsNonSquareImagesWithNormalizedZero) {
  Image im = pattern_image(448, 224, 3);  // resized to 224x112, 56 rows of padding above and below
  std::vector<float> x = hps_preprocess(im);
  ASSERT_EQ(x.size(), 3u * 224 * 224);
  const double mean0 = 0.48145466, std0 = 0.26862954;
  EXPECT_NEAR(x[0], (0 - mean0) / std0, 1e-6);                 // top-left: padding
  EXPECT_NEAR(x[223 * 224 + 223], (0 - mean0) / std0, 1e-6);   // bottom-right: padding
  EXPECT_NE(x[112 * 224 + 112], x[0]);                         // centre: the image
  Image bad = im;
  bad.rgb.pop_back();
  EXPECT_THROW(hps_preprocess(bad), std::invalid_argument);
}

}  // namespace
}  // namespace bigpe::models
