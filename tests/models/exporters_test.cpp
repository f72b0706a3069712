// The exporters' helpers (scripts/bigpe_export: tracing with checks,
// wrappers, manifest writing) tested in Python with small torch modules
// (tests/models/python/test_bigpe_export.py); the real exporters need
// diffusers / open_clip / transformers and are run by users. The tiny-model tests load
// folders these same helpers wrote.
#include <gtest/gtest.h>

#include "tests/models/support/model_test_support.h"

namespace bigpe::models {
namespace {

TEST(Exporters, HelperTestsPassInPython) {
  std::string why = testing::python_torch_problem();
  if (!why.empty()) GTEST_SKIP() << why;
  std::string out;
  int rc = testing::run_shell("cd " + testing::source_dir() + " && " + testing::python() +
                                  " -B -m unittest tests/models/python/test_bigpe_export.py",
                              &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("OK"), std::string::npos) << out;
}

TEST(Exporters, ScriptsShowUsageWithoutTheirLibraries) {
  std::string why = testing::python_torch_problem();
  if (!why.empty()) GTEST_SKIP() << why;
  for (const char* script :
       {"export_sd.py", "export_hpsv2.py", "export_pickscore.py", "export_aesthetic.py", "make_tiny_models.py"}) {
    std::string out;
    int rc = testing::run_shell(testing::python() + " -B " + testing::source_dir() + "/scripts/" + script + " --help", &out);
    EXPECT_EQ(rc, 0) << script << ": " << out;
    EXPECT_NE(out.find("--out"), std::string::npos) << script << ": " << out;
  }
}

// Where the exporters' packages are missing (Debian's python3 has torch but
// neither diffusers nor open_clip), each exporter ends with one line naming
// them and how to install them, not a Python traceback.
TEST(Exporters, ScriptsNameTheMissingPackageInsteadOfATraceback) {
  std::string why = testing::python_torch_problem();
  if (!why.empty()) GTEST_SKIP() << why;
  struct Case {
    const char* script;
    const char* args;
    const char* probe;     // present: the case cannot be checked here
    const char* expected;
  };
  const Case cases[] = {
      {"export_sd.py", "--model m --family sdxl-turbo --out ", "diffusers",
       "export_sd.py: needs the Python package"},
      {"export_hpsv2.py", "--checkpoint HPS_v2_compressed.pt --out ", "hpsv2",
       "export_hpsv2.py: needs the Python package 'hpsv2' (pip install hpsv2) or 'open_clip' (pip install "
       "open_clip_torch), which "},
      {"export_pickscore.py", "--checkpoint PickScore_v1 --out ", "transformers",
       "export_pickscore.py: needs the Python package 'transformers' (pip install transformers), which "},
      {"export_aesthetic.py", "--clip clip-vit-large-patch14 --head sac+logos+ava1-l14-linearMSE.pth --out ",
       "transformers",
       "export_aesthetic.py: needs the Python package 'transformers' (pip install transformers), which "},
  };
  int checked = 0;
  for (const Case& c : cases) {
    std::string out;
    const std::string find = testing::python() + " -c 'import importlib.util, sys; sys.exit(0 if importlib.util.find_spec(\"" +
                             c.probe + "\") else 1)'";
    if (testing::run_shell(find) == 0 || (std::string(c.probe) == "hpsv2" &&
                                          testing::run_shell(testing::python() + " -c 'import open_clip'") == 0))
      continue;
    const int rc = testing::run_shell(testing::python() + " -B " + testing::source_dir() + "/scripts/" + c.script +
                                          " " + c.args + "/nonexistent-bigpe-export-out",
                                      &out);
    EXPECT_EQ(rc, 1) << c.script << ": " << out;
    EXPECT_NE(out.find(c.expected), std::string::npos) << c.script << ": " << out;
    EXPECT_NE(out.find("docs/models.md"), std::string::npos) << c.script << ": " << out;
    EXPECT_EQ(out.find("Traceback"), std::string::npos) << c.script << ": " << out;
    ++checked;
  }
  if (checked == 0)
    GTEST_SKIP() << testing::python() << " has diffusers, open_clip and transformers: nothing is missing";
}

}  // namespace
}  // namespace bigpe::models
