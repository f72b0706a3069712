// `bigpe config keys` and `bigpe config show` through the real executable:
// the keys table lists every key of the schema with its default; show
// prints the resolved config with each set key marked by where it was set,
// and refuses a config exactly as `bigpe run` does.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "scheduler/experiment/config_listing.h"
#include "scheduler/experiment/experiment_config.h"
#include "tests/support/bigpe_invocation.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

using testing::Invocation;
using testing::run_bigpe;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The line that begins with `key` and a blank (or ": " for show), or "".
std::string row_of(const std::vector<std::string>& lines, const std::string& start) {
  for (const std::string& l : lines)
    if (l.rfind(start, 0) == 0) return l;
  return "";
}

TEST(ConfigCommand, KeysListsEveryKeyOfTheSchemaWithItsDefault) {
  testing::TempDir dir("bigpe-config-keys");
  Invocation r = run_bigpe({"config", "keys"}, dir.file("log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = lines_of(r.output);
  EXPECT_EQ(lines.size(), engine::experiment_schema().keys().size() + 1) << r.output;
  for (const auto& [name, key] : engine::experiment_schema().keys()) {
    const std::string row = row_of(lines, name + " ");
    ASSERT_FALSE(row.empty()) << "no row for " << name;
    // Type, then the default, each followed by at least two blanks.
    std::istringstream cells(row.substr(name.size()));
    std::string type;
    cells >> type;
    const std::string rest = row.substr(row.find(type, name.size()) + type.size());
    const std::string def = engine::yaml_scalar(key.default_value);
    EXPECT_EQ(rest.find_first_not_of(' '), rest.find(def + "  ")) << name << ": " << row;
    EXPECT_NE(row.find(key.affects_result ? "  fixed  " : "  may change  "), std::string::npos) << row;
    EXPECT_NE(row.find(key.help), std::string::npos) << row;
  }
}

TEST(ConfigCommand, ShowPrintsTheResolvedConfigAndMarksWhatWasSet) {
  testing::TempDir dir("bigpe-config-show");
  Invocation r = run_bigpe({"config", "show", "experiments/quickstart.yaml", "iterations=4"}, dir.file("log"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> lines = lines_of(r.output);
  const std::string iterations = row_of(lines, "iterations: ");
  EXPECT_EQ(iterations.rfind("iterations: 4 ", 0), 0u) << iterations;
  EXPECT_NE(iterations.find("  # override 'iterations=4'"), std::string::npos) << iterations;
  EXPECT_NE(row_of(lines, "batch_size: 3 ").find("  # experiments/quickstart.yaml:9"), std::string::npos)
      << r.output;
  EXPECT_EQ(row_of(lines, "paired: "), "paired: false") << "a default is not marked";
  EXPECT_NE(r.output.find("# config hash "), std::string::npos) << r.output;
  // The output is YAML for the same experiment.
  const Config expected =
      Config::load(testing::source_dir() + "/experiments/quickstart.yaml", engine::experiment_schema(),
                   {"iterations=4"});
  EXPECT_EQ(Config::parse(r.output, "shown", engine::experiment_schema()).values(), expected.values());
}

TEST(ConfigCommand, ShowRefusesAConfigExactlyAsRunDoes) {
  testing::TempDir dir("bigpe-config-refuse");
  const std::string config = dir.file("bad.yaml");
  std::ofstream(config) << "name: x\nprofessional:\n  source: jsonl\n";
  const std::string why = config + ":3: key 'professional.source': jsonl needs professional.path";
  Invocation show = run_bigpe({"config", "show", config}, dir.file("show.log"));
  EXPECT_EQ(show.exit_code, 1) << show.output;
  EXPECT_NE(show.output.find("bigpe config show: " + why), std::string::npos) << show.output;
  Invocation run = run_bigpe({"run", config, "out=" + dir.file("run")}, dir.file("run.log"));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("bigpe run: " + why), std::string::npos) << run.output;
}

}  // namespace
}  // namespace bigpe
