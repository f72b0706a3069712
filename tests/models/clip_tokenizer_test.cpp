// The CLIP BPE tokenizer against the reference vectors
// (docs/model-reference.md section 2.3) with the real vocabulary, and
// its algorithm against a tiny vocabulary written here.
#include "models/core/clip_tokenizer.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "models/core/text_clean.h"
#include "tests/models/support/model_test_support.h"

namespace bigpe::models {
namespace {

using testing::ScratchDir;

struct Vector {
  std::string text;
  std::vector<int> ids;  // with start and end tokens, before padding
};

const std::vector<Vector>& reference_vectors() {
  static const std::vector<Vector> v = {
      {"a photo of a cat", {49406, 320, 1125, 539, 320, 2368, 49407}},
      {"a diagram", {49406, 320, 22697, 49407}},
      {"a dog", {49406, 320, 1929, 49407}},
      {"a cat", {49406, 320, 2368, 49407}},
      {"A cat with two horns on its head", {49406, 320, 2368, 593, 1237, 22109, 525, 902, 1375, 49407}},
      {"Hello world!", {49406, 3306, 1002, 256, 49407}},
      {"HELLO, World!!!", {49406, 3306, 267, 1002, 995, 49407}},
      {"an astronaut riding a horse on mars, 4k, trending on artstation",
       {49406, 550, 18376, 6765, 320, 4558, 525, 7496, 267, 275, 330, 267, 6087, 525, 1486, 2631, 49407}},
      {"a painting of a beautiful woman, highly detailed, digital art, by greg rutkowski",
       {49406, 320, 3086, 539, 320, 1215, 2308, 267, 5302, 12609, 267, 2794, 794, 267, 638, 7943, 14973, 17649,
        49407}},
      {"photorealistic portrait, 8k uhd, dslr, soft lighting",
       {49406, 1153, 16157, 5352, 267, 279, 330, 84, 4414, 267, 33740, 267, 3773, 5799, 49407}},
      {"cyberpunk city at night, neon lights, octane render",
       {49406, 36896, 1305, 536, 930, 267, 13919, 3073, 267, 43040, 13024, 49407}},
      {"it's a dog's life", {49406, 585, 568, 320, 1929, 568, 970, 49407}},
      {"don't", {49406, 847, 713, 49407}},
      {"1234", {49406, 272, 273, 274, 275, 49407}},
      {"1024x768", {49406, 272, 271, 273, 275, 343, 278, 277, 279, 49407}},
      {"rock &amp; roll", {49406, 2172, 261, 3341, 49407}},
      {"caf\xC3\xA9", {49406, 15304, 49407}},
      {"a photo of a cat \xF0\x9F\x90\xB1", {49406, 320, 1125, 539, 320, 2368, 22979, 49407}},
      {"  Multiple   SPACES\tand\nnewlines  ", {49406, 6470, 9006, 537, 1218, 3418, 49407}},
      {"Spongebob depicted in the style of Dragon Ball Z.",
       {49406, 25089, 34637, 530, 518, 1844, 539, 5471, 1069, 345, 269, 49407}},
      {"A man taking a drink from a water fountain.",
       {49406, 320, 786, 2019, 320, 3979, 633, 320, 1573, 13405, 269, 49407}},
      {"", {49406, 49407}},
  };
  return v;
}

std::vector<int> with_specials(const ClipTokenizer& t, const std::string& text) {
  std::vector<int> ids{t.start_id()};
  for (int id : t.encode(text)) ids.push_back(id);
  ids.push_back(t.end_id());
  return ids;
}

class RealVocabulary : public ::testing::Test {
 protected:
  static const ClipTokenizer& tokenizer() {
    static ClipTokenizer t = ClipTokenizer::load(testing::clip_vocab_path());
    return t;
  }
  void SetUp() override {
    if (testing::clip_vocab_path().empty())
      GTEST_SKIP() << "no bpe_simple_vocab_16e6.txt.gz (../shared/data or $BIGPE_CLIP_VOCAB); "
                      "the tiny-vocabulary tests cover the algorithm";
  }
};

TEST_F(RealVocabulary, LayoutMatchesClip) {
  EXPECT_EQ(tokenizer().merges(), 48894);
  EXPECT_EQ(tokenizer().start_id(), 49406);
  EXPECT_EQ(tokenizer().end_id(), 49407);
  EXPECT_EQ(tokenizer().vocab_size(), 49408);
}

TEST_F(RealVocabulary, EveryReferenceVectorMatches) {
  for (const Vector& v : reference_vectors()) EXPECT_EQ(with_specials(tokenizer(), v.text), v.ids) << v.text;
}

TEST_F(RealVocabulary, SymbolsShowByteLevelMapping) {
  EXPECT_EQ(tokenizer().symbols("caf\xC3\xA9"), std::vector<std::string>{"caf\xC3\x83\xC2\xA9</w>"});
  EXPECT_EQ(tokenizer().symbols("jekyll"), std::vector<std::string>{"jekyll</w>"});
  EXPECT_EQ(tokenizer().encode("jekyll"), std::vector<int>{49405});
}

TEST_F(RealVocabulary, LongTextIsCutTo77WithEndTokenLast) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "cat ";
  EXPECT_EQ(tokenizer().encode(text).size(), 100u);
  std::vector<int64_t> ids = tokenizer().tokenize(text, 0);
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids.front(), 49406);
  for (int i = 1; i < 76; ++i) EXPECT_EQ(ids[i], 2368) << i;
  EXPECT_EQ(ids.back(), 49407);
}

TEST_F(RealVocabulary, PaddingUsesTheGivenId) {
  std::vector<int64_t> zero = tokenizer().tokenize("a cat", 0);
  std::vector<int64_t> eot = tokenizer().tokenize("a cat", 49407);
  ASSERT_EQ(zero.size(), 77u);
  ASSERT_EQ(eot.size(), 77u);
  EXPECT_EQ(std::vector<int64_t>(zero.begin(), zero.begin() + 4), (std::vector<int64_t>{49406, 320, 2368, 49407}));
  for (int i = 4; i < 77; ++i) {
    EXPECT_EQ(zero[i], 0);
    EXPECT_EQ(eot[i], 49407);
  }
  std::vector<int64_t> empty = tokenizer().tokenize("", 0);
  EXPECT_EQ(empty[0], 49406);
  EXPECT_EQ(empty[1], 49407);
  EXPECT_EQ(empty[2], 0);
}

TEST_F(RealVocabulary, SpecialTokensInTextKeepTheirIds) {
  EXPECT_EQ(tokenizer().encode("<|startoftext|>a cat<|endoftext|>"), (std::vector<int>{49406, 320, 2368, 49407}));
}

TEST_F(RealVocabulary, CacheGivesTheSameIdsTwice) {
  std::string text = "a painting of a beautiful woman, highly detailed";
  EXPECT_EQ(tokenizer().encode(text), tokenizer().encode(text));
}

// A vocabulary small enough to reason about: ids 0..511 are the byte
// symbols (the same in every vocabulary), merges get 512 + rank.
class TinyVocabulary : public ::testing::Test {
 protected:
  static std::string merges_text() {
    return "#version: tiny\n"
           "c a\n"           // 512 "ca"
           "ca t</w>\n"      // 513 "cat</w>"
           "a t</w>\n"       // 514 "at</w>"
           "t h\n"           // 515 "th"
           "th e</w>\n"      // 516 "the</w>"
           "! !\n"           // 517 "!!"
           "!! !</w>\n"      // 518 "!!!</w>"
           "d o\n"           // 519 "do"
           "a a\n"           // 520 "aa"
           "aa aa\n"         // 521 "aaaa"
           "o g</w>\n";      // 522 "og</w>"
  }
  ClipTokenizer tokenizer = ClipTokenizer::from_merges_text(merges_text(), "tiny");
};

TEST_F(TinyVocabulary, SpecialIdsFollowTheMerges) {
  EXPECT_EQ(tokenizer.merges(), 11);
  EXPECT_EQ(tokenizer.start_id(), 523);
  EXPECT_EQ(tokenizer.end_id(), 524);
}

TEST_F(TinyVocabulary, ByteSymbolIdsAreTheClipLayout) {
  // 'a' is byte 97 -> 64, "a</w>" 320; "!</w>" 256, ",</w>" 267, "1</w>" 272.
  EXPECT_EQ(tokenizer.encode("a"), std::vector<int>{320});
  EXPECT_EQ(tokenizer.encode(","), std::vector<int>{267});
  EXPECT_EQ(tokenizer.encode("1"), std::vector<int>{272});
  EXPECT_EQ(tokenizer.encode("1234"), (std::vector<int>{272, 273, 274, 275}));
  // Space (byte 32) is not printable: it maps past the printable bytes.
  // "b" has no merges: 'b' = 65, "b</w>" = 321.
  EXPECT_EQ(tokenizer.encode("b"), std::vector<int>{321});
}

TEST_F(TinyVocabulary, LowestRankMergesFirstAndEverywhere) {
  EXPECT_EQ(tokenizer.encode("cat"), std::vector<int>{513});
  EXPECT_EQ(tokenizer.encode("the"), std::vector<int>{516});
  // "dog": "d o" (519) then "o g</w>" can no longer apply; do + g</w>.
  EXPECT_EQ(tokenizer.symbols("dog"), (std::vector<std::string>{"do", "g</w>"}));
  // "aaaab": "a a" merges both pairs in one pass, then "aa aa".
  EXPECT_EQ(tokenizer.symbols("aaaab"), (std::vector<std::string>{"aaaa", "b</w>"}));
  // "aaaa": the last "a" is "a</w>", which no merge pairs with "a".
  EXPECT_EQ(tokenizer.symbols("aaaa"), (std::vector<std::string>{"aa", "a", "a</w>"}));
  EXPECT_EQ(tokenizer.symbols("aaa"), (std::vector<std::string>{"aa", "a</w>"}));
}

TEST_F(TinyVocabulary, PreTokenizerSplitsDigitsSymbolsAndContractions) {
  EXPECT_EQ(tokenizer.symbols("cat!!!"), (std::vector<std::string>{"cat</w>", "!!!</w>"}));
  EXPECT_EQ(tokenizer.symbols("the cat's"), (std::vector<std::string>{"the</w>", "cat</w>", "'", "s</w>"}));
  EXPECT_EQ(tokenizer.symbols("don't"), (std::vector<std::string>{"do", "n</w>", "'", "t</w>"}));
  EXPECT_EQ(tokenizer.symbols("4k"), (std::vector<std::string>{"4</w>", "k</w>"}));
  // A run of symbols swallows a quote that starts no contraction.
  EXPECT_EQ(tokenizer.symbols("!'x"), (std::vector<std::string>{"!", "'</w>", "x</w>"}));
}

TEST_F(TinyVocabulary, UnicodeLettersAndNumbersUseTheirClasses) {
  // "é" is a letter: one word with "caf". Bytes C3 A9 map to "Ã©".
  EXPECT_EQ(tokenizer.symbols("caf\xC3\xA9"),
            (std::vector<std::string>{"ca", "f", "\xC3\x83", "\xC2\xA9</w>"}));
  // Greek letters form one word; a Devanagari digit is a number on its own.
  EXPECT_EQ(tokenizer.symbols("\xCE\xB1\xCE\xB2").size(), 4u);  // one word of 4 byte symbols
  EXPECT_EQ(tokenizer.symbols("x\xE0\xA5\xA7y").size(), 5u);  // x</w>, 3 bytes of U+0967, y</w>
  // An emoji is neither: it joins the run of symbols next to it.
  EXPECT_EQ(tokenizer.symbols("!\xF0\x9F\x90\xB1").size(), 5u);
}

TEST_F(TinyVocabulary, CleaningUnescapesCollapsesAndLowercases) {
  EXPECT_EQ(clean_text("  Rock &amp;amp;   ROLL\t\n"), "rock & roll");
  EXPECT_EQ(clean_text("caf&eacute; &#233; &#xE9;"), "caf\xC3\xA9 \xC3\xA9 \xC3\xA9");
  EXPECT_EQ(clean_text("&lt;b&gt; &unknown; &amp"), "<b> &unknown; &");
  EXPECT_EQ(clean_text("&#128;"), "\xE2\x82\xAC");  // cp1252 euro, as browsers do
  EXPECT_EQ(clean_text("\xC3\x89T\xC3\x89 \xCE\xA9"), "\xC3\xA9t\xC3\xA9 \xCF\x89");
  EXPECT_EQ(clean_text("a\xC2\xA0\xE3\x80\x80" "b"), "a b");  // NBSP and ideographic space
  EXPECT_EQ(tokenizer.encode("CAT"), tokenizer.encode("  cat "));
}

TEST_F(TinyVocabulary, InvalidUtf8BecomesReplacementCharacter) {
  // 0xFF alone decodes to U+FFFD (EF BF BD): a symbol run of 3 bytes.
  EXPECT_EQ(tokenizer.symbols("\xFF").size(), 3u);
}

TEST_F(TinyVocabulary, TruncationAndPadding) {
  std::vector<int64_t> ids = tokenizer.tokenize("cat cat cat", 7, 4);
  EXPECT_EQ(ids, (std::vector<int64_t>{523, 513, 513, 524}));
  ids = tokenizer.tokenize("cat", 7, 5);
  EXPECT_EQ(ids, (std::vector<int64_t>{523, 513, 524, 7, 7}));
  EXPECT_THROW(tokenizer.tokenize("cat", 0, 1), std::invalid_argument);
}

TEST(ClipTokenizerFile, ReadsGzipAndNamesBadFiles) {
  ScratchDir dir("tokenizer");
  std::string path = dir.file("vocab.txt.gz");
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_TRUE(f != nullptr);
  std::string text = "#version\nc a\nca t</w>\n";
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  ClipTokenizer t = ClipTokenizer::load(path);
  EXPECT_EQ(t.merges(), 2);
  EXPECT_EQ(t.encode("cat"), std::vector<int>{513});
  // max_merges limits the merges used, as CLIP slices its file.
  EXPECT_EQ(ClipTokenizer::load(path, 1).encode("cat"), (std::vector<int>{512, 339}));

  try {
    ClipTokenizer::load(dir.file("missing.gz"));
    ADD_FAILURE() << "no error for a missing file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.gz"), std::string::npos) << e.what();
  }
  try {
    ClipTokenizer::from_merges_text("#v\nc a\nthree fields here\n", "bad.txt");
    ADD_FAILURE() << "no error for a bad line";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt: line 3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bigpe::models
