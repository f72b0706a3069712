#pragma once
// A deterministic test image for the preprocessing and scorer tests: smooth
// gradients plus noise, so both flat and sharp regions occur (sharp edges
// are where resize implementations part).
#include <algorithm>
#include <cstdint>

#include "backends/image.h"

namespace bigpe::models::testing {

inline Image pattern_image(int width, int height, unsigned seed) {
  Image im;
  im.width = width;
  im.height = height;
  im.rgb.resize(static_cast<size_t>(width) * height * 3);
  unsigned s = seed;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c) {
        s = s * 1103515245u + 12345u;
        int v = (x * 255 / std::max(1, width - 1) + y * (c + 1) * 7 + static_cast<int>((s >> 16) % 64)) % 256;
        im.rgb[(static_cast<size_t>(y) * width + x) * 3 + c] = static_cast<uint8_t>(v);
      }
  return im;
}

}  // namespace bigpe::models::testing
