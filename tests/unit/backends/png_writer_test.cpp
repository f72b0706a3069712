// PNG encoding: a libpng round trip and clear errors for unwritable paths.
#include <gtest/gtest.h>
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

#include "backends/png_writer.h"
#include "backends/sim/sim_renderer.h"

namespace bigpe {
namespace {

struct Decoded {
  int width = 0, height = 0, color_type = -1, bit_depth = 0;
  std::vector<uint8_t> rgb;
  std::map<std::string, std::string> text;
  bool ok = false;
};

struct Source {
  const std::string* bytes;
  std::size_t pos;
};

void on_read(png_structp png, png_bytep out, png_size_t n) {
  auto* src = static_cast<Source*>(png_get_io_ptr(png));
  if (src->pos + n > src->bytes->size()) png_error(png, "read past end");
  std::memcpy(out, src->bytes->data() + src->pos, n);
  src->pos += n;
}

// An independent decoder, built on libpng's reading API.
void decode_into(const std::string& bytes, Decoded* d) {
  Source src{&bytes, 0};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return;
  }
  png_set_read_fn(png, &src, on_read);
  png_read_info(png, info);
  d->width = static_cast<int>(png_get_image_width(png, info));
  d->height = static_cast<int>(png_get_image_height(png, info));
  d->color_type = png_get_color_type(png, info);
  d->bit_depth = png_get_bit_depth(png, info);
  d->rgb.resize(static_cast<std::size_t>(d->width) * d->height * 3);
  for (int y = 0; y < d->height; ++y)
    png_read_row(png, &d->rgb[static_cast<std::size_t>(y) * d->width * 3], nullptr);
  png_read_end(png, info);
  png_textp text = nullptr;
  const int n = png_get_text(png, info, &text, nullptr);
  for (int i = 0; i < n; ++i) d->text[text[i].key] = text[i].text;
  png_destroy_read_struct(&png, &info, nullptr);
  d->ok = true;
}

TEST(PngWriter, RoundTripGivesTheSamePixelsAndText) {
  Image img = SimRenderer(SimRendererOptions{0, 23}).draw("A cactus, bokeh", 1234567890123);
  const std::string bytes = encode_png(img);
  Decoded d;
  decode_into(bytes, &d);
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.width, 23);
  EXPECT_EQ(d.height, 23);
  EXPECT_EQ(d.color_type, PNG_COLOR_TYPE_RGB);
  EXPECT_EQ(d.bit_depth, 8);
  EXPECT_EQ(d.rgb, img.rgb);
  EXPECT_EQ(d.text["prompt"], "A cactus, bokeh");
  EXPECT_EQ(d.text["seed"], "1234567890123");
}

TEST(PngWriter, RejectsAnImageWhosePixelsDoNotMatchItsSize) {
  Image img;
  img.width = 4;
  img.height = 4;
  img.rgb.resize(10);
  EXPECT_THROW(encode_png(img), std::invalid_argument);
  img.width = 0;
  img.rgb.clear();
  EXPECT_THROW(encode_png(img), std::invalid_argument);
}

TEST(PngWriter, WritesAFileThatDecodesToTheImage) {
  const Image img = SimRenderer(SimRendererOptions{0, 8}).draw("x", 1);
  const std::string path = std::string(BIGPE_BINARY_DIR) + "/png_writer_test_out.png";
  write_png_file(img, path);
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, encode_png(img));
  std::remove(path.c_str());
}

void expect_error_naming(const std::string& path, const std::string& reason) {
  const Image img = SimRenderer(SimRendererOptions{0, 4}).draw("x", 1);
  try {
    write_png_file(img, path);
    ADD_FAILURE() << "wrote " << path;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(reason), std::string::npos) << e.what();
  }
}

TEST(PngWriter, UnwritablePathsGiveAnErrorNamingThePathAndReason) {
  expect_error_naming("/nonexistent-bigpe-dir/a.png", std::strerror(ENOENT));
  // A parent that is a regular file, not a folder.
  const std::string file = std::string(BIGPE_BINARY_DIR) + "/png_writer_test_plain_file";
  std::ofstream(file) << "x";
  expect_error_naming(file + "/a.png", std::strerror(ENOTDIR));
  std::remove(file.c_str());
}

}  // namespace
}  // namespace bigpe
