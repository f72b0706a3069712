#include "backends/sim/sim_renderer.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/content_hash.h"

namespace bigpe {

SimRenderer::SimRenderer(SimRendererOptions options) : options_(options) {
  if (options_.size < 1 || options_.size > 4096)
    throw std::invalid_argument("sim renderer: size " + std::to_string(options_.size) +
                                " is not in [1, 4096]");
  if (!(options_.cost_ms >= 0))
    throw std::invalid_argument("sim renderer: cost_ms " + std::to_string(options_.cost_ms) +
                                " is negative");
}

Image SimRenderer::draw(const std::string& prompt, int64_t seed) const {
  const auto h = sha256(prompt + "|" + std::to_string(seed));
  Image img;
  img.width = img.height = options_.size;
  img.prompt = prompt;
  img.seed = seed;
  img.rgb.resize(static_cast<std::size_t>(options_.size) * options_.size * 3);
  // A vertical gradient between two hashed colours, crossed by diagonal
  // stripes whose period, angle and tint also come from the hash: cheap,
  // yet every (prompt, seed) gives a visibly different picture.
  const uint8_t* top = &h[0];
  const uint8_t* bottom = &h[3];
  const uint8_t* tint = &h[6];
  const int period = 4 + h[9] % 13;
  const int slope = 1 + h[10] % 3;
  const int n = options_.size;
  uint8_t* px = img.rgb.data();
  // The pixel loop is most of a zero-cost sim task, so it avoids divisions:
  // per row the colours are computed once, and the stripe index
  // (x + slope*y) / period and the hash index (x + y + ch) % 21 are kept as
  // running counters.
  for (int y = 0; y < n; ++y) {
    int plain[3], tinted[3];
    for (int ch = 0; ch < 3; ++ch) {
      plain[ch] = (top[ch] * (n - 1 - y) + bottom[ch] * y) / (n > 1 ? n - 1 : 1);
      tinted[ch] = (plain[ch] + tint[ch]) / 2;
    }
    int stripe = (slope * y) / period, phase = (slope * y) % period;
    int k = y % 21;
    for (int x = 0; x < n; ++x, px += 3) {
      const int* v = stripe % 2 == 0 ? tinted : plain;
      // Low bits from the hash so neighbouring seeds differ in every stripe.
      for (int ch = 0, j = k; ch < 3; ++ch, j = j == 20 ? 0 : j + 1)
        px[ch] = static_cast<uint8_t>(v[ch] ^ (h[11 + j] & 0x07));
      if (++phase == period) phase = 0, ++stripe;
      k = k == 20 ? 0 : k + 1;
    }
  }
  return img;
}

std::string SimRenderer::identity() const {
  return "sim-image-v1;size=" + std::to_string(options_.size);
}

std::vector<Image> SimRenderer::render(const std::vector<RenderRequest>& batch,
                                       const schemas::RenderParams& params) {
  if (auto it = params.options.find("sim.fault"); it != params.options.end()) {
    if (it->second == "abort") std::abort();
    if (it->second == "throw") throw std::runtime_error("sim.fault=throw");
    throw std::runtime_error("sim renderer: option sim.fault = \"" + it->second +
                             "\" is not one of abort, throw");
  }
  // Fault injection, polled: the stuck "kernel" resumes when the file goes.
  // Said once, so that a test knows the batch is held.
  if (!options_.hang_file.empty() && std::filesystem::exists(options_.hang_file)) {
    spdlog::warn("sim renderer: batch of {} held while {} exists (fault injection)", batch.size(),
                 options_.hang_file);
    while (std::filesystem::exists(options_.hang_file)) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<Image> out;
  out.reserve(batch.size());
  for (const auto& r : batch) out.push_back(draw(r.prompt, r.seed));
  // Stands in for GPU time: a batch occupies the worker cost_ms per image.
  if (options_.cost_ms > 0 && !batch.empty())
    std::this_thread::sleep_for(
        std::chrono::duration<double, std::milli>(options_.cost_ms * batch.size()));
  return out;
}

}  // namespace bigpe
