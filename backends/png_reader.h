#pragma once
// PNG decoding (libpng) into an 8-bit RGB Image, for `bigpe score` and tools
// that read rendered artifacts back. Grey, palette, 16-bit and alpha images
// are converted to 8-bit RGB (alpha composited on black, as libpng's
// simplified API does without a background).
//
// Thread-safety: reentrant (no shared state).
#include <string>

#include "backends/image.h"

namespace bigpe {

// Throws std::runtime_error naming the path and libpng's reason when the
// file is missing or not a PNG.
Image read_png_file(const std::string& path);

}  // namespace bigpe
