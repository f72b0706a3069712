#pragma once
// The CLIP byte-pair-encoding tokenizer (openai/CLIP simple_tokenizer.py,
// also open_clip's and the one Stable Diffusion's text encoders were
// trained with), reimplemented without Python:
//   clean (html unescape, whitespace, lowercase; text_clean.h)
//   -> pre-tokenize: <|startoftext|>, <|endoftext|>, 's 't 're 've 'm 'll
//      'd, letter runs, single digits, runs of other non-space symbols
//   -> each pre-token's UTF-8 bytes mapped to printable code points
//   -> greedy BPE: merge the adjacent pair of lowest rank everywhere,
//      until no pair has a rank; "</w>" marks the last symbol of a word
//   -> ids; [start] + ids + [end], then cut or padded to the context length.
//
// Vocabulary layout (from the merges file alone): 256 byte symbols in the
// byte-map order, the same 256 with "</w>", one id per merge in rank order,
// then <|startoftext|> and <|endoftext|>. With the real file (48,894 merges
// used) these are 49406 and 49407.
//
// Thread-safety: encode()/tokenize() may be called from several threads at
// once; the per-word cache is guarded by a mutex.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace bigpe::models {

class ClipTokenizer {
 public:
  // Merges CLIP uses from bpe_simple_vocab_16e6.txt.gz: 49152 - 256 - 2.
  static constexpr int kClipMerges = 48894;
  static constexpr int kContextLength = 77;

  // Reads a merges file (gzip or plain text): a header line, then one
  // "left right" pair per line; the first `max_merges` pairs are used.
  // Throws std::runtime_error naming the path and line when the file is
  // missing, unreadable or a used line is not two symbols.
  static ClipTokenizer load(const std::string& path, int max_merges = kClipMerges);
  // The same from the file's text (after decompression); `origin` names it
  // in errors.
  static ClipTokenizer from_merges_text(const std::string& text, const std::string& origin,
                                        int max_merges = kClipMerges);

  ClipTokenizer(ClipTokenizer&&) noexcept;
  ClipTokenizer& operator=(ClipTokenizer&&) noexcept;
  ~ClipTokenizer();

  // Ids of the text without start/end tokens and without length limit.
  std::vector<int> encode(const std::string& text) const;
  // The BPE symbols of the text (for diagnostics and tests), e.g.
  // "a photo" -> {"a</w>", "photo</w>"}.
  std::vector<std::string> symbols(const std::string& text) const;
  // [start] + encode(text) + [end], cut to `context` (keeping the first
  // `context` ids and making the last one the end token), then padded
  // with `pad_id` to exactly `context` ids. REQUIRES: context >= 2.
  std::vector<int64_t> tokenize(const std::string& text, int64_t pad_id,
                                int context = kContextLength) const;

  int start_id() const { return start_id_; }
  int end_id() const { return end_id_; }
  int vocab_size() const { return end_id_ + 1; }
  int merges() const { return merges_; }

 private:
  ClipTokenizer() = default;
  const std::vector<int>& bpe_ids(const std::string& mapped) const;
  std::vector<std::string> bpe_symbols(const std::string& mapped) const;

  std::unordered_map<std::string, int> ranks_;    // "left right" -> rank
  std::unordered_map<std::string, int> encoder_;  // symbol -> id
  std::string byte_symbol_[256];                  // byte -> UTF-8 of its code point
  int start_id_ = 0, end_id_ = 0, merges_ = 0;

  // Per-word cache of BPE results; cleared when it grows past a bound so a
  // long-running worker's memory stays flat.
  mutable std::unique_ptr<std::mutex> cache_mu_;
  mutable std::unordered_map<std::string, std::vector<int>> cache_;
};

}  // namespace bigpe::models
