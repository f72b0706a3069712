#include "models/core/gzip_file.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace bigpe::models {

std::string read_gzip_file(const std::string& path) {
  errno = 0;
  gzFile raw = gzopen(path.c_str(), "rb");
  if (!raw) {
    throw std::runtime_error("cannot open " + path + ": " +
                             (errno ? std::strerror(errno) : "zlib could not allocate"));
  }
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(raw, gzclose);
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    int n = gzread(file.get(), buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      const char* message = gzerror(file.get(), &code);
      throw std::runtime_error("cannot read " + path + ": " + (message ? message : "zlib error"));
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  // gzread returns 0 at a truncated stream too; gzerror tells the two apart.
  int code = 0;
  const char* message = gzerror(file.get(), &code);
  if (code != Z_OK && code != Z_STREAM_END)
    throw std::runtime_error("cannot read " + path + ": " + (message ? message : "zlib error"));
  return out;
}

}  // namespace bigpe::models
