#include "backends/png_reader.h"

#include <png.h>

#include <cstring>
#include <stdexcept>

namespace bigpe {

Image read_png_file(const std::string& path) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&png, path.c_str()))
    throw std::runtime_error("cannot read PNG " + path + ": " + png.message);
  png.format = PNG_FORMAT_RGB;
  Image img;
  img.width = static_cast<int>(png.width);
  img.height = static_cast<int>(png.height);
  img.rgb.resize(PNG_IMAGE_SIZE(png));
  if (!png_image_finish_read(&png, nullptr, img.rgb.data(), 0, nullptr)) {
    std::string reason = png.message;
    png_image_free(&png);
    throw std::runtime_error("cannot decode PNG " + path + ": " + reason);
  }
  return img;
}

}  // namespace bigpe
