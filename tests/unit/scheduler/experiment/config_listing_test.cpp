// `config show` prints YAML that reads back to the same config, awkward
// values included, with the keys that were set marked by their origin;
// `config keys` has one row per key of the settings table.
#include "scheduler/experiment/config_listing.h"

#include <gtest/gtest.h>

#include <sstream>

#include "scheduler/experiment/experiment_config.h"

namespace bigpe::engine {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(ConfigListing, YamlScalarsReadBackAsTheSameText) {
  const ConfigSchema& schema = experiment_schema();
  for (const std::string v : {"plain words", "", "a: b", "x #y", "#z", "- item", "-1.5", "~", "null",
                              "say \"hi\"", "back\\slash", "two\nlines", "tab\there", "[1, 2]", "{a}", "ends:",
                              "@at", "it's", "%p"}) {
    const std::string yaml = "initial_instruction: " + yaml_scalar(v) + "\n";
    EXPECT_EQ(Config::parse(yaml, "t", schema).get_string("initial_instruction"), v) << yaml;
  }
  EXPECT_EQ(yaml_scalar("quickstart"), "quickstart");
  EXPECT_EQ(yaml_scalar(""), "\"\"");
}

TEST(ConfigListing, TheResolvedConfigReadsBackAndMarksWhatWasSet) {
  const ConfigSchema& schema = experiment_schema();
  const Config c = Config::parse("name: demo\ninitial_instruction: \"Refine: keep #1\\nsecond line\"\n", "x.yaml",
                                 schema, {"iterations=4", "render.negative="});
  const std::string text = resolved_config_text(c);
  EXPECT_EQ(Config::parse(text, "shown", schema).values(), c.values());
  const std::vector<std::string> lines = lines_of(text);
  EXPECT_EQ(lines.size(), schema.keys().size());
  auto line_of = [&](const std::string& key) {
    for (const std::string& l : lines)
      if (l.rfind(key + ": ", 0) == 0) return l;
    return std::string("(none)");
  };
  EXPECT_EQ(line_of("name").substr(0, 11), "name: demo ");
  EXPECT_NE(line_of("name").find("  # x.yaml:1"), std::string::npos) << line_of("name");
  EXPECT_NE(line_of("iterations").find("iterations: 4"), std::string::npos);
  EXPECT_NE(line_of("iterations").find("  # override 'iterations=4'"), std::string::npos) << line_of("iterations");
  EXPECT_EQ(line_of("paired"), "paired: false") << "a default has no comment";
}

TEST(ConfigListing, TheKeysTableHasOneRowPerKey) {
  const std::vector<std::string> text = lines_of(config_keys_table(KeysFormat::kText));
  ASSERT_EQ(text.size(), experiment_bindings().size() + 1);
  EXPECT_EQ(text[0].rfind("key ", 0), 0u);
  const std::vector<std::string> md = lines_of(config_keys_table(KeysFormat::kMarkdown));
  ASSERT_EQ(md.size(), experiment_bindings().size() + 2);
  EXPECT_EQ(md[1], "| --- | --- | --- | --- | --- | --- |");
  EXPECT_NE(md[2].find("| `name` | string | `experiment` |"), std::string::npos) << md[2];
}

}  // namespace
}  // namespace bigpe::engine
