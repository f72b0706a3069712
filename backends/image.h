#pragma once
// An rendered image in memory: 8-bit RGB, row-major. The prompt and seed that
// made it travel with it, so a scorer or an artifact writer can name it.
#include <cstdint>
#include <string>
#include <vector>

namespace bigpe {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3 bytes
  std::string prompt;
  int64_t seed = 0;
};

}  // namespace bigpe
