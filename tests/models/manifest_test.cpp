// manifest.yaml parsing and validation without libtorch (and the YAML
// subset reader under it): each mistake gives an error naming the file,
// line and key.
#include "models/core/model_manifest.h"

#include <gtest/gtest.h>

#include "models/core/flat_yaml.h"

namespace bigpe::models {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_manifest(text, "/models/x", false);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

const char* const kSd1 =
    "# comment\n"
    "format: 1\n"
    "family: sd1\n"
    "tokenizer:\n"
    "  vocab: vocab.txt.gz   # trailing comment\n"
    "  pad_id: 49407\n"
    "text_encoder:\n"
    "  file: \"text_encoder.pt\"\n"
    "  hidden_size: 768\n"
    "unet:\n"
    "  file: unet.pt\n"
    "vae_decoder:\n"
    "  file: 'vae_decoder.pt'\n"
    "  latent_scale: 0.18215\n";

TEST(FlatYaml, ReadsNestedMapsQuotesAndComments) {
  auto v = parse_flat_yaml("a: 1\nb:\n  c: \"x # y\"\n  d:\n    e: 'z'\nf: plain text # note\n", "t.yaml");
  EXPECT_EQ(v.at("a").value, "1");
  EXPECT_EQ(v.at("b.c").value, "x # y");
  EXPECT_EQ(v.at("b.d.e").value, "z");
  EXPECT_EQ(v.at("b.d.e").line, 5);
  EXPECT_EQ(v.at("f").value, "plain text");
}

TEST(FlatYaml, RefusesWhatItDoesNotSupport) {
  EXPECT_THROW(parse_flat_yaml("a:\n  - 1\n", "t"), std::runtime_error);
  EXPECT_THROW(parse_flat_yaml("a: [1, 2]\n", "t"), std::runtime_error);
  EXPECT_THROW(parse_flat_yaml("a: 1\na: 2\n", "t"), std::runtime_error);
  EXPECT_THROW(parse_flat_yaml("a:\n  b: 1\n c: 2\n", "t"), std::runtime_error);
  EXPECT_THROW(parse_flat_yaml("just text\n", "t"), std::runtime_error);
  EXPECT_THROW(parse_flat_yaml("a: \"open\n", "t"), std::runtime_error);
  try {
    parse_flat_yaml("a: 1\nb: [x]\n", "m.yaml");
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "m.yaml:2")) << e.what();
  }
}

TEST(Manifest, Sd1DefaultsFollowDiffusers) {
  ModelManifest m = parse_manifest(kSd1, "/models/x", false);
  EXPECT_EQ(m.family, ModelFamily::kSd1);
  EXPECT_EQ(m.vocab, "/models/x/vocab.txt.gz");
  EXPECT_EQ(m.unet.path, "/models/x/unet.pt");
  EXPECT_EQ(m.vae_decoder.path, "/models/x/vae_decoder.pt");
  EXPECT_EQ(m.pad_id, 49407);
  EXPECT_EQ(m.hidden_size, 768);
  EXPECT_EQ(m.scheduler.prediction, "epsilon");
  EXPECT_EQ(m.scheduler.steps_offset, 1);
  EXPECT_EQ(m.scheduler.timestep_spacing, "");
  EXPECT_EQ(m.cuda_dtype, "float16");
  EXPECT_EQ(m.default_size, 512);
  EXPECT_FALSE(m.zero_uncond_for_empty_negative);
}

TEST(Manifest, FamilyDecidesDefaults) {
  std::string sd2v = std::string(kSd1);
  sd2v.replace(sd2v.find("family: sd1"), 11, "family: sd2-v");
  ModelManifest m = parse_manifest(sd2v, "/m", false);
  EXPECT_EQ(m.scheduler.prediction, "v_prediction");
  EXPECT_EQ(m.default_size, 768);
  std::string bad = sd2v + "scheduler:\n  prediction: epsilon\n";
  EXPECT_TRUE(contains(error_of(bad), "sd2-v expects scheduler.prediction v_prediction")) << error_of(bad);

  std::string turbo = std::string(kSd1);
  turbo.replace(turbo.find("family: sd1"), 11, "family: sdxl-turbo");
  EXPECT_TRUE(contains(error_of(turbo), "missing required key 'text_encoder_2.file'")) << error_of(turbo);
  turbo += "text_encoder_2:\n  file: te2.pt\n  hidden_size: 1280\n  pooled_size: 1280\n";
  ModelManifest t = parse_manifest(turbo, "/m", false);
  EXPECT_EQ(t.scheduler.timestep_spacing, "trailing");
  EXPECT_TRUE(t.zero_uncond_for_empty_negative);
  EXPECT_EQ(t.pad_id_2, 0);
}

TEST(Manifest, ErrorsNameTheKeyAndLine) {
  std::string unknown_family = std::string(kSd1);
  unknown_family.replace(unknown_family.find("family: sd1"), 11, "family: sd3");
  std::string e = error_of(unknown_family);
  EXPECT_TRUE(contains(e, "/models/x/manifest.yaml:3: unknown family 'sd3'")) << e;

  e = error_of(std::string(kSd1) + "unet_typo: 1\n");
  EXPECT_TRUE(contains(e, ":15: unknown key 'unet_typo'")) << e;

  std::string no_scale = kSd1;
  no_scale.erase(no_scale.find("  latent_scale"));
  e = error_of(no_scale);
  EXPECT_TRUE(contains(e, "missing required key 'vae_decoder.latent_scale'")) << e;

  std::string bad_number = kSd1;
  bad_number.replace(bad_number.find("768"), 3, "big");
  e = error_of(bad_number);
  EXPECT_TRUE(contains(e, ":9: 'text_encoder.hidden_size' must be an integer, got 'big'")) << e;

  e = error_of(std::string(kSd1) + "dtype: float64\n");
  EXPECT_TRUE(contains(e, "'dtype' must be one of")) << e;
  e = error_of(std::string("format: 2\n") + (kSd1 + std::string(kSd1).find("family")));
  EXPECT_TRUE(contains(e, "format 2 is newer")) << e;
}

TEST(Manifest, MissingFilesAreNamed) {
  try {
    parse_manifest(kSd1, "/nonexistent-bigpe-models", true);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "/nonexistent-bigpe-models/vocab.txt.gz")) << e.what();
  }
  try {
    load_manifest("/nonexistent-bigpe-models");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "does not exist")) << e.what();
  }
}

TEST(Manifest, HpsDefaults) {
  ModelManifest m = parse_manifest(
      "format: 1\nfamily: hpsv2\ntokenizer:\n  vocab: v.gz\n  pad_id: 0\nimage_encoder:\n  file: i.pt\n"
      "text_encoder:\n  file: t.pt\nembed_dim: 1024\npreprocess:\n  mean: 0.5 0.5 0.5\n",
      "/h", false);
  EXPECT_EQ(m.family, ModelFamily::kHpsv2);
  EXPECT_EQ(m.image_size, 224);
  EXPECT_EQ(m.embed_dim, 1024);
  EXPECT_EQ(m.mean[1], 0.5);
  EXPECT_NEAR(m.std[2], 0.27577711, 1e-12);
  EXPECT_EQ(m.text_tower.path, "/h/t.pt");
}

const char* const kPickscore =
    "format: 1\nfamily: pickscore\ntokenizer:\n  vocab: merges.txt\n  pad_id: 0\nimage_encoder:\n  file: i.pt\n"
    "text_encoder:\n  file: t.pt\nembed_dim: 1024\nlogit_scale: 4.6052\n";

TEST(Manifest, PickscoreReadsItsLogitScale) {
  ModelManifest m = parse_manifest(kPickscore, "/p", false);
  EXPECT_EQ(m.family, ModelFamily::kPickscore);
  EXPECT_TRUE(is_scorer(m.family));
  EXPECT_FALSE(is_diffusion(m.family));
  EXPECT_DOUBLE_EQ(m.logit_scale, 4.6052);
  EXPECT_EQ(m.image_size, 224);
  EXPECT_EQ(m.vocab, "/p/merges.txt");
  EXPECT_EQ(m.text_tower.path, "/p/t.pt");
}

TEST(Manifest, PickscoreNeedsAFiniteLogitScale) {
  std::string text = kPickscore;
  std::string without = text.substr(0, text.find("logit_scale"));
  EXPECT_TRUE(contains(error_of(without), "missing required key 'logit_scale'")) << error_of(without);
  std::string huge = without + "logit_scale: 400\n";
  EXPECT_TRUE(contains(error_of(huge), "/models/x/manifest.yaml:11: 'logit_scale' must be in [-20, 20], got 400"))
      << error_of(huge);
  std::string word = without + "logit_scale: log100\n";
  EXPECT_TRUE(contains(error_of(word), "'logit_scale' must be a number, got 'log100'")) << error_of(word);
}

const char* const kAesthetic =
    "format: 1\nfamily: aesthetic\nimage_encoder:\n  file: i.pt\nhead:\n  file: h.pt\n  dtype: float32\n"
    "embed_dim: 768\n";

TEST(Manifest, AestheticHasAHeadAndNoTokenizer) {
  ModelManifest m = parse_manifest(kAesthetic, "/a", false);
  EXPECT_EQ(m.family, ModelFamily::kAesthetic);
  EXPECT_TRUE(is_scorer(m.family));
  EXPECT_EQ(m.head.path, "/a/h.pt");
  EXPECT_EQ(m.head.cuda_dtype, "float32");
  EXPECT_EQ(m.embed_dim, 768);
  EXPECT_TRUE(m.vocab.empty());
  // The text is ignored, so tokenizer and text tower keys are refused as
  // unknown rather than silently unused.
  std::string e = error_of(std::string(kAesthetic) + "tokenizer:\n  vocab: v.gz\n  pad_id: 0\n");
  EXPECT_TRUE(contains(e, "/models/x/manifest.yaml:11: unknown key 'tokenizer.pad_id' for this family")) << e;
  e = error_of(std::string(kAesthetic) + "text_encoder:\n  file: t.pt\n");
  EXPECT_TRUE(contains(e, ":10: unknown key 'text_encoder.file' for this family")) << e;
  std::string text = kAesthetic;
  e = error_of(text.substr(0, text.find("head:")) + "embed_dim: 768\n");
  EXPECT_TRUE(contains(e, "missing required key 'head.file'")) << e;
}

TEST(Manifest, ScorerFamilyNames) {
  EXPECT_EQ(scorer_family_names(), (std::vector<std::string>{"hpsv2", "pickscore", "aesthetic"}));
  EXPECT_FALSE(is_scorer(ModelFamily::kSdxlTurbo));
  EXPECT_TRUE(contains(error_of("format: 1\nfamily: imagereward\n"),
                       "unknown family 'imagereward' (expected one of sd1, sd2, sd2-v, sdxl, sdxl-turbo, hpsv2, "
                       "pickscore, aesthetic)"));
}

}  // namespace
}  // namespace bigpe::models
