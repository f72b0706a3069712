// Fuzz target: the CLIP BPE tokenizer (models/core/clip_tokenizer.h) on
// arbitrary bytes as prompt text, with a small merges table built once.
// Contract: encode() never throws; tokenize() returns exactly `context`
// ids that start with the start token and hold the end token.
#include <algorithm>
#include <memory>

#include "fuzz/fuzz_input.h"
#include "models/core/clip_tokenizer.h"

namespace {

const bigpe::models::ClipTokenizer& tokenizer() {
  static const auto* t = new bigpe::models::ClipTokenizer(bigpe::models::ClipTokenizer::from_merges_text(
      "#version: 0.2\nt h\nth e</w>\na n\nan d</w>\ni n\nin g</w>\no n</w>\ne r\ner </w>\nc a\nca t</w>\n"
      "p h\nph o\npho t\nphot o</w>\n",
      "fuzz merges", 100));
  return *t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto& t = tokenizer();
  try {
    for (int id : t.encode(text))
      if (id < 0 || id >= t.vocab_size()) bigpe::fuzz::contract_broken("encode returned an id out of range");
    const std::vector<int64_t> ids = t.tokenize(text, 0, 16);
    if (ids.size() != 16 || ids.front() != t.start_id() ||
        std::find(ids.begin(), ids.end(), t.end_id()) == ids.end())
      bigpe::fuzz::contract_broken("tokenize broke its shape: [start] ... [end] padded to the context");
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("tokenizer threw: ") + e.what());
  }
  return 0;
}
