#pragma once
// PNG encoding of rendered images (libpng), for the artifact store. The
// prompt and seed go into tEXt chunks "prompt" and "seed", so an artifact
// names what made it.
//
// Thread-safety: both functions are reentrant (no shared state).
#include <string>

#include "backends/image.h"

namespace bigpe {

// The PNG file bytes of `img` (8-bit RGB). Throws std::invalid_argument
// when img.rgb.size() != width * height * 3 or a dimension is < 1, and
// std::runtime_error if libpng reports an error.
std::string encode_png(const Image& img);

// Writes encode_png(img) to `path` (via a temporary file in the same
// folder, renamed into place, so a reader never sees half a file). Throws
// std::runtime_error naming the path and the system's reason (errno text:
// "No space left on device", "Permission denied", ...). Never crashes.
void write_png_file(const Image& img, const std::string& path);

}  // namespace bigpe
