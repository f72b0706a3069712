#include "backends/png_writer.h"

#include <fcntl.h>
#include <png.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csetjmp>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace bigpe {
namespace {

// libpng reports errors by longjmp. Everything between setjmp and the last
// libpng call lives in this struct or in plain C locals, so a longjmp skips
// no C++ destructor.
struct Sink {
  std::string* bytes;
  char error[256];
};

void on_write(png_structp png, png_bytep data, png_size_t length) {
  auto* sink = static_cast<Sink*>(png_get_io_ptr(png));
  sink->bytes->append(reinterpret_cast<const char*>(data), length);
}

void on_flush(png_structp) {}

void on_error(png_structp png, png_const_charp message) {
  auto* sink = static_cast<Sink*>(png_get_error_ptr(png));
  std::snprintf(sink->error, sizeof sink->error, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

// Returns false (with sink->error set) when libpng fails.
bool encode_into(const Image& img, png_bytep* rows, png_textp text, int n_text, Sink* sink) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, on_error, on_warning);
  if (!png) {
    std::snprintf(sink->error, sizeof sink->error, "png_create_write_struct failed");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(sink->error, sizeof sink->error, "png_create_info_struct failed");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, sink, on_write, on_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(img.width),
               static_cast<png_uint_32>(img.height), 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_text(png, info, text, n_text);
  png_write_info(png, info);
  png_write_image(png, rows);
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

std::string encode_png(const Image& img) {
  if (img.width < 1 || img.height < 1)
    throw std::invalid_argument("encode_png: image is " + std::to_string(img.width) + "x" +
                                std::to_string(img.height));
  const std::size_t expected = static_cast<std::size_t>(img.width) * img.height * 3;
  if (img.rgb.size() != expected)
    throw std::invalid_argument("encode_png: " + std::to_string(img.rgb.size()) +
                                " bytes of RGB for a " + std::to_string(img.width) + "x" +
                                std::to_string(img.height) + " image (expected " +
                                std::to_string(expected) + ")");
  std::vector<png_bytep> rows(img.height);
  for (int y = 0; y < img.height; ++y)
    rows[y] = const_cast<png_bytep>(&img.rgb[static_cast<std::size_t>(y) * img.width * 3]);

  std::string seed = std::to_string(img.seed);
  std::string prompt = img.prompt;
  png_text text[2] = {};
  text[0].compression = PNG_TEXT_COMPRESSION_NONE;
  text[0].key = const_cast<char*>("prompt");
  text[0].text = prompt.data();
  text[0].text_length = prompt.size();
  text[1].compression = PNG_TEXT_COMPRESSION_NONE;
  text[1].key = const_cast<char*>("seed");
  text[1].text = seed.data();
  text[1].text_length = seed.size();

  std::string bytes;
  bytes.reserve(expected / 2 + 1024);
  Sink sink{&bytes, {0}};
  if (!encode_into(img, rows.data(), text, 2, &sink))
    throw std::runtime_error(std::string("encode_png: libpng: ") + sink.error);
  return bytes;
}

void write_png_file(const Image& img, const std::string& path) {
  const std::string bytes = encode_png(img);
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    const int err = errno;
    throw std::runtime_error("cannot write " + path + ": " + errno_text(err));
  }
  auto fail = [&](int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + errno_text(err));
  };
  // Artifacts are meant to be shared: the usual file mode, not mkstemp's 0600.
  if (::fchmod(fd, 0644) != 0) fail(errno);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(errno);
    }
    done += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + errno_text(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + errno_text(err));
  }
}

}  // namespace bigpe
