// The exporters' helpers (scripts/bigpe_export: tracing with checks,
// wrappers, manifest writing) tested in Python with small torch modules
// (tests/models/python/test_bigpe_export.py); the real exporters need
// diffusers / open_clip and are run by users. The tiny-model tests load
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
  for (const char* script : {"export_sd.py", "export_hpsv2.py", "make_tiny_models.py"}) {
    std::string out;
    int rc = testing::run_shell(testing::python() + " -B " + testing::source_dir() + "/scripts/" + script + " --help", &out);
    EXPECT_EQ(rc, 0) << script << ": " << out;
    EXPECT_NE(out.find("--out"), std::string::npos) << script << ": " << out;
  }
}

}  // namespace
}  // namespace bigpe::models
