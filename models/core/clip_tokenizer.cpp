#include "models/core/clip_tokenizer.h"

#include <climits>
#include <sstream>
#include <stdexcept>

#include "models/core/gzip_file.h"
#include "models/core/text_clean.h"
#include "models/core/unicode_text.h"

namespace bigpe::models {
namespace {

const char* const kStart = "<|startoftext|>";
const char* const kEnd = "<|endoftext|>";
constexpr size_t kCacheLimit = 200000;  // words; a prompt pool has far fewer

// bytes_to_unicode order: the printable bytes keep their code point, the 68
// others get U+0100.. in ascending byte order. Returns the bytes in vocab
// order and fills byte -> code point.
std::vector<int> byte_order(char32_t (&cp_of)[256]) {
  std::vector<int> order;
  bool printable[256] = {};
  for (int b = 0; b < 256; ++b) {
    printable[b] = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    if (printable[b]) {
      order.push_back(b);
      cp_of[b] = static_cast<char32_t>(b);
    }
  }
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    if (!printable[b]) {
      order.push_back(b);
      cp_of[b] = next++;
    }
  }
  return order;
}

bool starts_with(const std::vector<char32_t>& cps, size_t i, const char* ascii) {
  for (size_t k = 0; ascii[k]; ++k)
    if (i + k >= cps.size() || cps[i + k] != static_cast<unsigned char>(ascii[k])) return false;
  return true;
}

// The regex <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|
// [\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+ applied with findall: at each position
// the first alternative that matches wins; whitespace matches none.
std::vector<std::string> pre_tokenize(const std::vector<char32_t>& cps) {
  static const char* const kContractions[] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
  std::vector<std::string> tokens;
  size_t i = 0, n = cps.size();
  auto emit = [&](size_t from, size_t to) {
    tokens.push_back(utf8_encode(std::vector<char32_t>(cps.begin() + from, cps.begin() + to)));
  };
  while (i < n) {
    char32_t c = cps[i];
    if (c == '<' && (starts_with(cps, i, kStart) || starts_with(cps, i, kEnd))) {
      size_t len = starts_with(cps, i, kStart) ? 15 : 13;
      emit(i, i + len);
      i += len;
      continue;
    }
    if (c == '\'') {
      bool matched = false;
      for (const char* k : kContractions) {
        if (starts_with(cps, i, k)) {
          size_t len = std::char_traits<char>::length(k);
          emit(i, i + len);
          i += len;
          matched = true;
          break;
        }
      }
      if (matched) continue;
    }
    size_t j = i + 1;
    if (is_letter(c)) {
      while (j < n && is_letter(cps[j])) ++j;
    } else if (is_number(c)) {
      // one digit per token
    } else if (!is_whitespace(c)) {
      while (j < n && !is_whitespace(cps[j]) && !is_letter(cps[j]) && !is_number(cps[j])) ++j;
    } else {
      ++i;
      continue;
    }
    emit(i, j);
    i = j;
  }
  return tokens;
}

// Splits a UTF-8 string into its code points, each as a UTF-8 string.
std::vector<std::string> split_chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0xF0) len = 4;
    else if (b >= 0xE0) len = 3;
    else if (b >= 0xC0) len = 2;
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

ClipTokenizer::ClipTokenizer(ClipTokenizer&&) noexcept = default;
ClipTokenizer& ClipTokenizer::operator=(ClipTokenizer&&) noexcept = default;
ClipTokenizer::~ClipTokenizer() = default;

ClipTokenizer ClipTokenizer::load(const std::string& path, int max_merges) {
  return from_merges_text(read_gzip_file(path), path, max_merges);
}

ClipTokenizer ClipTokenizer::from_merges_text(const std::string& text, const std::string& origin,
                                              int max_merges) {
  if (max_merges < 0) throw std::invalid_argument("max_merges must not be negative");
  ClipTokenizer t;
  t.cache_mu_ = std::make_unique<std::mutex>();
  char32_t cp_of[256];
  std::vector<int> order = byte_order(cp_of);
  for (int b = 0; b < 256; ++b) {
    t.byte_symbol_[b].clear();
    utf8_append(t.byte_symbol_[b], cp_of[b]);
  }
  int id = 0;
  for (int b : order) t.encoder_[t.byte_symbol_[b]] = id++;
  for (int b : order) t.encoder_[t.byte_symbol_[b] + "</w>"] = id++;

  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line))
    throw std::runtime_error(origin + ": empty merges file (expected a header line, then \"left right\" pairs)");
  int line_no = 1;
  while (t.merges_ < max_merges && std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::string left, right, extra;
    if (!(fields >> left >> right) || (fields >> extra)) {
      if (line.empty() && in.peek() == EOF) break;  // the file's final newline
      throw std::runtime_error(origin + ": line " + std::to_string(line_no) +
                               ": expected a merge \"left right\", got \"" + line.substr(0, 80) + "\"");
    }
    t.ranks_.emplace(left + " " + right, t.merges_);
    t.encoder_[left + right] = id++;
    ++t.merges_;
  }
  t.start_id_ = id++;
  t.end_id_ = id++;
  t.encoder_[kStart] = t.start_id_;
  t.encoder_[kEnd] = t.end_id_;
  return t;
}

std::vector<std::string> ClipTokenizer::bpe_symbols(const std::string& mapped) const {
  std::vector<std::string> word = split_chars(mapped);
  if (word.empty()) return word;
  word.back() += "</w>";
  while (word.size() > 1) {
    int best = INT_MAX;
    size_t best_at = 0;
    for (size_t k = 0; k + 1 < word.size(); ++k) {
      auto it = ranks_.find(word[k] + " " + word[k + 1]);
      if (it != ranks_.end() && it->second < best) {
        best = it->second;
        best_at = k;
      }
    }
    if (best == INT_MAX) break;
    const std::string first = word[best_at], second = word[best_at + 1];
    std::vector<std::string> merged;
    merged.reserve(word.size());
    for (size_t k = 0; k < word.size();) {
      if (k + 1 < word.size() && word[k] == first && word[k + 1] == second) {
        merged.push_back(first + second);
        k += 2;
      } else {
        merged.push_back(word[k]);
        k += 1;
      }
    }
    word.swap(merged);
  }
  return word;
}

std::vector<std::string> ClipTokenizer::symbols(const std::string& text) const {
  std::vector<std::string> out;
  for (const std::string& token : pre_tokenize(utf8_decode(clean_text(text)))) {
    if (token == kStart || token == kEnd) {
      out.push_back(token);
      continue;
    }
    std::string mapped;
    for (unsigned char b : token) mapped += byte_symbol_[b];
    for (std::string& s : bpe_symbols(mapped)) out.push_back(std::move(s));
  }
  return out;
}

std::vector<int> ClipTokenizer::encode(const std::string& text) const {
  std::vector<int> ids;
  for (const std::string& token : pre_tokenize(utf8_decode(clean_text(text)))) {
    if (token == kStart || token == kEnd) {
      ids.push_back(token == kStart ? start_id_ : end_id_);
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(*cache_mu_);
      auto hit = cache_.find(token);
      if (hit != cache_.end()) {
        ids.insert(ids.end(), hit->second.begin(), hit->second.end());
        continue;
      }
    }
    std::string mapped;
    for (unsigned char b : token) mapped += byte_symbol_[b];
    std::vector<int> word_ids;
    for (const std::string& s : bpe_symbols(mapped)) {
      auto it = encoder_.find(s);
      // Every BPE result is a byte symbol or a merge, all in the encoder.
      if (it == encoder_.end()) throw std::logic_error("CLIP tokenizer: symbol without id: " + s);
      word_ids.push_back(it->second);
    }
    ids.insert(ids.end(), word_ids.begin(), word_ids.end());
    std::lock_guard<std::mutex> lock(*cache_mu_);
    if (cache_.size() >= kCacheLimit) cache_.clear();
    cache_.emplace(token, std::move(word_ids));
  }
  return ids;
}

std::vector<int64_t> ClipTokenizer::tokenize(const std::string& text, int64_t pad_id, int context) const {
  if (context < 2) throw std::invalid_argument("CLIP tokenizer: context length must be at least 2");
  std::vector<int> body = encode(text);
  std::vector<int64_t> out;
  out.reserve(context);
  out.push_back(start_id_);
  for (int id : body) {
    if (static_cast<int>(out.size()) == context - 1) break;
    out.push_back(id);
  }
  out.push_back(end_id_);
  while (static_cast<int>(out.size()) < context) out.push_back(pad_id);
  return out;
}

}  // namespace bigpe::models
