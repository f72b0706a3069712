// Each way a model folder can be broken gives an error that names the file
// and what was expected: copies of the tiny model folders are damaged one
// way each and loaded on the CPU.
#include <gtest/gtest.h>

#include <filesystem>

#include "models/model_backends.h"
#include "tests/models/support/model_test_support.h"

namespace bigpe::models {
namespace {

namespace fs = std::filesystem;

class BrokenModelFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    root_ = testing::tiny_models(&why);
    if (root_.empty()) GTEST_SKIP() << "no tiny models: " << why;
  }

  // A private copy of a tiny model folder (a new one on each call).
  std::string copy(const std::string& family) {
    std::string to = scratch_.file(family + "-" + std::to_string(++copies_));
    fs::copy(root_ + "/" + family, to, fs::copy_options::recursive);
    return to;
  }
  static void edit_manifest(const std::string& dir, const std::string& from, const std::string& to) {
    std::string text = testing::read_text(dir + "/manifest.yaml");
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    testing::write_text(dir + "/manifest.yaml", text);
  }
  static std::string render_error(const std::string& dir) {
    try {
      make_torchscript_sd_renderer(dir, testing::test_device());
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  }
  static std::string score_error(const std::string& dir, const std::string& scorer = "hpsv2") {
    try {
      make_torch_scorer(scorer, dir, testing::test_device());
    } catch (const std::exception& e) {
      return e.what();
    }
    return "no error";
  }
  static bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

  std::string root_;
  int copies_ = 0;
  testing::ScratchDir scratch_{"broken"};
};

TEST_F(BrokenModelFolder, IntactFoldersLoad) {
  EXPECT_EQ(render_error(copy("sd1")), "no error");
  EXPECT_EQ(score_error(copy("hpsv2")), "no error");
  EXPECT_EQ(score_error(copy("pickscore"), "pickscore"), "no error");
  EXPECT_EQ(score_error(copy("aesthetic"), "aesthetic"), "no error");
}

TEST_F(BrokenModelFolder, MissingModuleFileIsNamedWithItsKey) {
  std::string dir = copy("sd1");
  fs::remove(dir + "/unet.pt");
  std::string e = render_error(dir);
  EXPECT_TRUE(has(e, "'unet.file' names " + dir + "/unet.pt")) << e;
  EXPECT_TRUE(has(e, "does not exist")) << e;
}

TEST_F(BrokenModelFolder, MissingVocabularyIsNamed) {
  std::string dir = copy("hpsv2");
  fs::remove(dir + "/vocab.txt.gz");
  std::string e = score_error(dir);
  EXPECT_TRUE(has(e, "'tokenizer.vocab'")) << e;
  EXPECT_TRUE(has(e, dir + "/vocab.txt.gz")) << e;
}

TEST_F(BrokenModelFolder, MissingManifest) {
  std::string dir = copy("sd1");
  fs::remove(dir + "/manifest.yaml");
  std::string e = render_error(dir);
  EXPECT_TRUE(has(e, dir + "/manifest.yaml: cannot read")) << e;
}

TEST_F(BrokenModelFolder, WrongFamilyForTheBackend) {
  std::string e = render_error(copy("hpsv2"));
  EXPECT_TRUE(has(e, "family 'hpsv2'")) << e;
  EXPECT_TRUE(has(e, "torchscript-sd renderer runs sd1")) << e;
  e = score_error(copy("sd1"));
  EXPECT_TRUE(has(e, "family 'sd1'")) << e;
  EXPECT_TRUE(has(e, "hpsv2 scorer needs")) << e;
  std::string dir = copy("hpsv2");
  e = score_error(dir, "pickscore");
  EXPECT_TRUE(has(e, dir + "/manifest.yaml: family 'hpsv2': the pickscore scorer needs a model folder of family "
                           "pickscore"))
      << e;
  e = score_error(copy("pickscore"), "aesthetic");
  EXPECT_TRUE(has(e, "family 'pickscore': the aesthetic scorer needs a model folder of family aesthetic")) << e;
}

TEST_F(BrokenModelFolder, PickscoreWithoutLogitScaleIsNamed) {
  std::string dir = copy("pickscore");
  edit_manifest(dir, "logit_scale: 3.0\n", "");
  std::string e = score_error(dir, "pickscore");
  EXPECT_TRUE(has(e, dir + "/manifest.yaml: missing required key 'logit_scale'")) << e;
}

TEST_F(BrokenModelFolder, MissingAestheticHeadIsNamedWithItsKey) {
  std::string dir = copy("aesthetic");
  fs::remove(dir + "/head.pt");
  std::string e = score_error(dir, "aesthetic");
  EXPECT_TRUE(has(e, "'head.file' names " + dir + "/head.pt, which does not exist")) << e;
}

TEST_F(BrokenModelFolder, AestheticHeadThatIsNotAHeadFailsTheProbe) {
  std::string dir = copy("aesthetic");
  fs::copy_file(dir + "/image_encoder.pt", dir + "/head.pt", fs::copy_options::overwrite_existing);
  std::string e = score_error(dir, "aesthetic");
  EXPECT_TRUE(has(e, dir + "/head.pt: forward failed on inputs [1, 12]")) << e;
  EXPECT_TRUE(has(e, "RuntimeError: Expected 4-dimensional input")) << e;  // the interpreter's reason, not its code
}

TEST_F(BrokenModelFolder, AestheticImageTowerWithWrongEmbeddingSize) {
  std::string dir = copy("aesthetic");
  edit_manifest(dir, "embed_dim: 12", "embed_dim: 768");
  std::string e = score_error(dir, "aesthetic");
  EXPECT_TRUE(has(e, dir + "/image_encoder.pt: image features: expected a tensor of shape [1, 768], got [1, 12]"))
      << e;
}

TEST_F(BrokenModelFolder, UnknownFamily) {
  std::string dir = copy("sd1");
  edit_manifest(dir, "family: \"sd1\"", "family: \"sd15\"");
  std::string e = render_error(dir);
  EXPECT_TRUE(has(e, dir + "/manifest.yaml:3: unknown family 'sd15'")) << e;
}

TEST_F(BrokenModelFolder, TextEncoderWithWrongHiddenSizeFailsTheProbe) {
  std::string dir = copy("sd1");
  edit_manifest(dir, "hidden_size: 32", "hidden_size: 64");
  std::string e = render_error(dir);
  EXPECT_TRUE(has(e, dir + "/text_encoder.pt: hidden states: expected a tensor of shape [1, 77, 64], got [1, 77, 32]"))
      << e;
}

TEST_F(BrokenModelFolder, UnetWithWrongSignatureIsNamed) {
  std::string dir = copy("sd1");
  fs::copy_file(dir + "/vae_decoder.pt", dir + "/unet.pt", fs::copy_options::overwrite_existing);
  std::string e = render_error(dir);
  EXPECT_TRUE(has(e, dir + "/unet.pt: forward failed on inputs [2, 4, 8, 8], [2], [2, 77, 32]")) << e;
}

TEST_F(BrokenModelFolder, VaeWithWrongOutputShapeIsNamed) {
  std::string dir = copy("sd1");
  edit_manifest(dir, "latent_scale: 0.18215", "latent_scale: 0.18215\n  scale_factor: 4");
  std::string e = render_error(dir);
  // With factor 4 the probe latent is 16x16 and the decoder gives 128x128, not 64x64.
  EXPECT_TRUE(has(e, dir + "/vae_decoder.pt: image: expected a tensor of shape [1, 3, 64, 64], got [1, 3, 128, 128]"))
      << e;
}

TEST_F(BrokenModelFolder, SecondSdxlEncoderMustReturnHiddenAndPooled) {
  std::string dir = copy("sdxl");
  fs::copy_file(dir + "/text_encoder.pt", dir + "/text_encoder_2.pt", fs::copy_options::overwrite_existing);
  std::string e = render_error(dir);
  EXPECT_TRUE(has(e, dir + "/text_encoder_2.pt: expected a tuple (hidden states [1, 77, 48], pooled embedding [1, 24])"))
      << e;
}

TEST_F(BrokenModelFolder, NotATorchScriptFile) {
  std::string dir = copy("hpsv2");
  testing::write_text(dir + "/image_encoder.pt", "this is not a zip archive");
  std::string e = score_error(dir);
  EXPECT_TRUE(has(e, dir + "/image_encoder.pt: not a TorchScript file")) << e;
}

TEST_F(BrokenModelFolder, ImageTowerWithWrongEmbeddingSize) {
  std::string dir = copy("hpsv2");
  edit_manifest(dir, "embed_dim: 16", "embed_dim: 1024");
  std::string e = score_error(dir);
  EXPECT_TRUE(has(e, dir + "/image_encoder.pt: image features: expected a tensor of shape [1, 1024], got [1, 16]"))
      << e;
}

TEST_F(BrokenModelFolder, BadDeviceName) {
  EXPECT_THROW(make_torchscript_sd_renderer(copy("sd1"), "tpu"), std::invalid_argument);
}

}  // namespace
}  // namespace bigpe::models
