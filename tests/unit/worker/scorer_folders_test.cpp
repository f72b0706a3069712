// Which --scorer-model folder each libtorch scorer of a worker loads
// (models/core/scorer_folders.h, through the worker's factory): each folder
// serves the scorer of its manifest's family, and every mistake is named
// with the folder, its family and the flag. From the manifests alone, so
// these run without libtorch: the folders hold manifests and empty files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/core/scorer_folders.h"
#include "tests/models/support/model_test_support.h"
#include "tests/support/test_paths.h"
#include "worker/backend_factory.h"

namespace bigpe {
namespace {

// A folder whose manifest names `family` and whose files exist (empty).
std::string fake_folder(const testing::TempDir& dir, const std::string& name, const std::string& family) {
  const std::string path = dir.file(name);
  std::filesystem::create_directories(path);
  std::string manifest = "format: 1\nfamily: " + family + "\n";
  std::vector<std::string> files;
  if (family == "aesthetic") {
    manifest += "image_encoder:\n  file: image_encoder.pt\nhead:\n  file: head.pt\nembed_dim: 12\n";
    files = {"image_encoder.pt", "head.pt"};
  } else if (family == "sd1") {
    manifest += "tokenizer:\n  vocab: vocab.txt.gz\n  pad_id: 0\ntext_encoder:\n  file: text_encoder.pt\n  hidden_size: 8\n"
                "unet:\n  file: unet.pt\nvae_decoder:\n  file: vae_decoder.pt\n  latent_scale: 0.18215\n";
    files = {"vocab.txt.gz", "text_encoder.pt", "unet.pt", "vae_decoder.pt"};
  } else {  // hpsv2, pickscore
    manifest += "tokenizer:\n  vocab: vocab.txt.gz\n  pad_id: 0\nimage_encoder:\n  file: image_encoder.pt\n"
                "text_encoder:\n  file: text_encoder.pt\nembed_dim: 16\n";
    if (family == "pickscore") manifest += "logit_scale: 4.6\n";
    files = {"vocab.txt.gz", "image_encoder.pt", "text_encoder.pt"};
  }
  models::testing::write_text(path + "/manifest.yaml", manifest);
  for (const std::string& f : files) models::testing::write_text(path + "/" + f, "");
  return path;
}

BackendSettings torch_worker(const std::string& scorer, std::vector<std::string> dirs) {
  BackendSettings s;
  s.backend = "torchscript-sd";
  s.scorer = scorer;
  s.scorer_model_dirs = std::move(dirs);
  return s;
}

std::string folder_error(const BackendSettings& s) {
  try {
    scorer_model_folders(s);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

class ScorerFolders : public ::testing::Test {
 protected:
  testing::TempDir dir{"scorer-folders"};
  std::string hps = fake_folder(dir, "hps", "hpsv2");
  std::string pick = fake_folder(dir, "pick", "pickscore");
  std::string aes = fake_folder(dir, "aes", "aesthetic");
};

TEST_F(ScorerFolders, EachLibtorchScorerGetsTheFolderOfItsFamilyWhateverTheFoldersOrder) {
  const BackendSettings s = torch_worker("pickscore,sim-judge,hpsv2", {hps, pick});
  EXPECT_EQ(scorer_names(s), (std::vector<std::string>{"pickscore", "sim-judge", "hpsv2"}));
  EXPECT_EQ(scorer_model_folders(s), (std::vector<std::string>{pick, "", hps}));
  EXPECT_EQ(scorer_model_folders(torch_worker("aesthetic,hpsv2,pickscore", {hps, pick, aes})),
            (std::vector<std::string>{aes, hps, pick}));
}

TEST_F(ScorerFolders, WithoutAScorerListTheScorersAreTheFoldersFamiliesInTheirOrder) {
  const BackendSettings s = torch_worker("", {aes, hps, pick});
  EXPECT_EQ(scorer_names(s), (std::vector<std::string>{"aesthetic", "hpsv2", "pickscore"}));
  EXPECT_EQ(scorer_model_folders(s), (std::vector<std::string>{aes, hps, pick}));
}

TEST_F(ScorerFolders, AScorerWithoutAFolderOfItsFamilyIsNamedWithTheFamiliesGiven) {
  const std::string why = folder_error(torch_worker("hpsv2,aesthetic", {hps, pick}));
  EXPECT_NE(why.find("scorer aesthetic (--scorer) has no --scorer-model folder of its family; the folders given are " +
                     hps + " (hpsv2), " + pick + " (pickscore)"),
            std::string::npos)
      << why;
  // And, at once, the folder nothing uses.
  EXPECT_NE(why.find("--scorer-model " + pick + " (a pickscore folder) serves no scorer of --scorer hpsv2,aesthetic"),
            std::string::npos)
      << why;
}

TEST_F(ScorerFolders, TwoFoldersOfOneFamilyAreRefused) {
  const std::string hps2 = fake_folder(dir, "hps2", "hpsv2");
  for (const std::string& list : {"", "hpsv2,pickscore"}) {
    const std::string why = folder_error(torch_worker(list, {hps, pick, hps2}));
    EXPECT_EQ(why, "--scorer-model " + hps + " and " + hps2 + " are both hpsv2 folders; give one folder per scorer")
        << "--scorer '" << list << "'";
  }
}

TEST_F(ScorerFolders, AFolderNoScorerOfTheListUsesIsRefused) {
  EXPECT_EQ(folder_error(torch_worker("hpsv2", {hps, aes})),
            "--scorer-model " + aes + " (an aesthetic folder) serves no scorer of --scorer hpsv2: add aesthetic there "
            "or leave the folder out");
  // One folder too, when the list has no libtorch scorer to load it.
  EXPECT_EQ(folder_error(torch_worker("sim,sim-judge", {pick})),
            "--scorer-model " + pick + " (a pickscore folder) serves no scorer of --scorer sim,sim-judge: add "
            "pickscore there or leave the folder out");
}

TEST_F(ScorerFolders, AFolderOfNoScorerFamilyOrWithoutAManifestIsNamed) {
  const std::string sd = fake_folder(dir, "sd", "sd1");
  EXPECT_EQ(folder_error(torch_worker("", {hps, sd})),
            "--scorer-model " + sd + " holds a sd1 model, not a scorer's (hpsv2, pickscore, aesthetic)");
  const std::string why = folder_error(torch_worker("hpsv2,pickscore", {hps, dir.file("nowhere")}));
  EXPECT_NE(why.find(dir.file("nowhere")), std::string::npos) << why;
}

// One folder is loaded by every libtorch scorer named, which checks the
// family itself (model_backend_factory_test.cpp): as before a worker could
// have several folders.
TEST_F(ScorerFolders, OneFolderServesEveryLibtorchScorerNamed) {
  EXPECT_EQ(scorer_model_folders(torch_worker("aesthetic", {pick})), std::vector<std::string>{pick});
  EXPECT_EQ(scorer_model_folders(torch_worker("hpsv2,sim", {hps})), (std::vector<std::string>{hps, ""}));
  EXPECT_EQ(scorer_names(torch_worker("", {pick})), std::vector<std::string>{"pickscore"});
  // The sim backend's own scorer reads no folder.
  BackendSettings sim;
  sim.scorer_model_dirs = {hps};
  EXPECT_EQ(scorer_model_folders(sim), std::vector<std::string>{""});
}

TEST_F(ScorerFolders, TheRunsConfigNamesItsKeys) {
  try {
    models::scorer_folders({"hpsv2"}, {hps, pick}, {"score.model", "score.scorers"});
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "score.model " + pick +
                                         " (a pickscore folder) serves no scorer of score.scorers hpsv2: add "
                                         "pickscore there or leave the folder out");
  }
}

// `bigpe worker` names every problem of its folders at once, the missing
// --model included, and exits 2 before it loads anything.
TEST_F(ScorerFolders, TheWorkerCommandNamesEveryProblemAtOnce) {
  std::string out;
  const std::string cmd = std::string(BIGPE_EXE) +
                          " worker --service s --backend torchscript-sd --broker tcp://127.0.0.1:1 --no-persist "
                          "--scorer hpsv2,pickscore --scorer-model " + hps + " --scorer-model " + aes;
  EXPECT_EQ(models::testing::run_shell(cmd, &out), 2) << out;
  EXPECT_NE(out.find("so it needs --model DIR (the exported SD model folder); see docs/models.md; and scorer "
                     "pickscore (--scorer) has no --scorer-model folder of its family"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("--scorer-model " + aes + " (an aesthetic folder) serves no scorer"), std::string::npos) << out;
}

}  // namespace
}  // namespace bigpe
