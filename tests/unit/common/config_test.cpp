#include "common/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

ConfigSchema test_schema() {
  ConfigSchema s;
  ConfigKey c{"selector.c", ConfigType::kDouble, "1.0"};
  c.min = 0;
  c.max = 10;
  s.add(c);
  ConfigKey kind{"selector.kind", ConfigType::kString, "ucb"};
  kind.choices = {"ucb", "random", "greedy"};
  s.add(kind);
  ConfigKey iters{"run.iterations", ConfigType::kInt, "10"};
  iters.min = 1;
  iters.max = 1000;
  s.add(iters);
  s.add({"run.verbose", ConfigType::kBool, "false"});
  s.add({"run.name", ConfigType::kString, "default-name"});
  s.add({"llm.models", ConfigType::kStringList, "a, b"});
  ConfigKey workers{"workers.count", ConfigType::kInt, "2"};
  workers.affects_result = false;
  s.add(workers);
  ConfigKey endpoint{"broker.endpoint", ConfigType::kString, "tcp://127.0.0.1:5555"};
  endpoint.affects_result = false;
  s.add(endpoint);
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

class ConfigTest : public ::testing::Test {
 protected:
  ConfigSchema schema = test_schema();
  Config parse(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    return Config::parse(yaml, "x.yaml", schema, overrides);
  }
  std::string parse_error(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
    return error_of([&] { parse(yaml, overrides); });
  }
};

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  Config c = parse("");
  EXPECT_DOUBLE_EQ(c.get_double("selector.c"), 1.0);
  EXPECT_EQ(c.get_string("selector.kind"), "ucb");
  EXPECT_EQ(c.get_int("run.iterations"), 10);
  EXPECT_FALSE(c.get_bool("run.verbose"));
  EXPECT_EQ(c.get_list("llm.models"), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(c.was_set("selector.c"));
}

TEST_F(ConfigTest, NestedMapsBecomeDottedKeys) {
  Config c = parse(
      "selector:\n"
      "  c: 2.5\n"
      "  kind: random\n"
      "run:\n"
      "  iterations: 40\n"
      "  verbose: yes\n"
      "llm:\n"
      "  models: [gpt, llama]\n"
      "workers.count: 8\n");
  EXPECT_DOUBLE_EQ(c.get_double("selector.c"), 2.5);
  EXPECT_EQ(c.get_string("selector.kind"), "random");
  EXPECT_EQ(c.get_int("run.iterations"), 40);
  EXPECT_TRUE(c.get_bool("run.verbose"));
  EXPECT_EQ(c.get_list("llm.models"), (std::vector<std::string>{"gpt", "llama"}));
  EXPECT_EQ(c.get_int("workers.count"), 8);
  EXPECT_TRUE(c.was_set("selector.c"));
  EXPECT_FALSE(c.was_set("run.name"));
}

TEST_F(ConfigTest, BlockSequencesAndCommaTextBothMakeLists) {
  EXPECT_EQ(parse("llm:\n  models:\n    - x\n    - y\n").get_list("llm.models"),
            (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(parse("llm.models: x, y ,z\n").get_list("llm.models"), (std::vector<std::string>{"x", "y", "z"}));
}

TEST_F(ConfigTest, WrongTypeNamesFileLineAndKey) {
  EXPECT_EQ(parse_error("run:\n  iterations: 3\nselector:\n  c: abc\n"),
            "x.yaml:4: key 'selector.c': expected a number, got 'abc'");
  EXPECT_EQ(parse_error("run.iterations: 1.5\n"), "x.yaml:1: key 'run.iterations': expected an integer, got '1.5'");
  EXPECT_EQ(parse_error("run.verbose: maybe\n"),
            "x.yaml:1: key 'run.verbose': expected a boolean (true/false), got 'maybe'");
  EXPECT_EQ(parse_error("run.iterations: [1, 2]\n"), "x.yaml:1: key 'run.iterations': expected an integer, got a list");
  EXPECT_EQ(parse_error("selector:\n  c:\n    x: 1\n"), "x.yaml:2: key 'selector.c': expected a number, got a map");
  EXPECT_EQ(parse_error("selector.c:\n"), "x.yaml:1: key 'selector.c': expected a number, got nothing");
}

TEST_F(ConfigTest, RangesAndChoicesAreEnforced) {
  EXPECT_EQ(parse_error("selector.c: 11\n"), "x.yaml:1: key 'selector.c': value 11 is out of range [0, 10]");
  EXPECT_EQ(parse_error("\nrun.iterations: 0\n"), "x.yaml:2: key 'run.iterations': value 0 is out of range [1, 1000]");
  EXPECT_EQ(parse_error("selector.kind: best\n"),
            "x.yaml:1: key 'selector.kind': expected one of ucb,random,greedy, got 'best'");
  EXPECT_EQ(parse_error("selector.c: .nan\n"), "x.yaml:1: key 'selector.c': expected a number, got '.nan'");
  EXPECT_NO_THROW(parse("selector.c: 10\nrun.iterations: 1000\n"));
}

TEST_F(ConfigTest, UnknownKeysAreRefusedWithTheirLine) {
  EXPECT_EQ(parse_error("selector:\n  c: 1\n  cc: 2\n"),
            "x.yaml:3: unknown key 'selector.cc' (did you mean 'selector.c'?)");
  EXPECT_EQ(parse_error("bogus: 1\n"), "x.yaml:1: unknown key 'bogus'");
  EXPECT_EQ(parse_error("nothing:\n  here: 1\n"), "x.yaml:1: unknown key 'nothing'");
}

TEST_F(ConfigTest, DuplicateKeysAreRefused) {
  EXPECT_EQ(parse_error("selector:\n  c: 1\nselector.c: 2\n"),
            "x.yaml:3: key 'selector.c': given twice (first at line 2)");
}

TEST_F(ConfigTest, MalformedYamlNamesTheLine) {
  std::string e = parse_error("run:\n  iterations: 3\n  bad: [1, 2\n");
  EXPECT_EQ(e.rfind("x.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("malformed YAML"), std::string::npos) << e;
  EXPECT_EQ(parse_error("- a\n- b\n"), "x.yaml:1: expected a map of keys, got a list");
}

TEST_F(ConfigTest, OverridesApplyAfterTheFileAndAreValidated) {
  Config c = parse("selector.c: 2\n", {"selector.c=3.5", "run.name = my run", "llm.models=p,q"});
  EXPECT_DOUBLE_EQ(c.get_double("selector.c"), 3.5);
  EXPECT_EQ(c.get_string("run.name"), "my run");
  EXPECT_EQ(c.get_list("llm.models"), (std::vector<std::string>{"p", "q"}));
  EXPECT_TRUE(c.was_set("run.name"));
  EXPECT_EQ(parse_error("", {"selector.cc=1"}),
            "override 'selector.cc=1': unknown key 'selector.cc' (did you mean 'selector.c'?)");
  EXPECT_EQ(parse_error("", {"selector.c=abc"}),
            "override 'selector.c=abc': key 'selector.c': expected a number, got 'abc'");
  EXPECT_EQ(parse_error("", {"selector.c"}), "override 'selector.c': expected key=value");
}

TEST_F(ConfigTest, LoadReadsAFileAndNamesIt) {
  bigpe::testing::TempDir dir("config");
  std::string path = dir.file("exp.yaml");
  std::ofstream(path) << "# comment\nselector:\n  c: x\n";
  EXPECT_EQ(error_of([&] { Config::load(path, schema); }), path + ":3: key 'selector.c': expected a number, got 'x'");
  std::ofstream(path) << "selector:\n  c: 4\n";
  EXPECT_DOUBLE_EQ(Config::load(path, schema, {"run.iterations=5"}).get_double("selector.c"), 4.0);
  EXPECT_EQ(error_of([&] { Config::load(dir.file("missing.yaml"), schema); }),
            dir.file("missing.yaml") + ": cannot open the file");
}

TEST_F(ConfigTest, ADirectoryIsNotAConfigFile) {
  bigpe::testing::TempDir dir("config");
  EXPECT_EQ(error_of([&] { Config::load(dir.path(), schema); }),
            dir.path() + ": is a directory, not a YAML config file");
}

TEST_F(ConfigTest, EachSetKeyRemembersWhereItWasSet) {
  Config c = parse(
      "# a comment\n"
      "selector:\n"
      "  c: 2\n"
      "run.iterations: 3\n",
      {"run.iterations=4", "run.verbose=yes"});
  EXPECT_EQ(c.origin_of("selector.c"), "x.yaml:3");
  EXPECT_EQ(c.origin_of("run.iterations"), "override 'run.iterations=4'") << "the override wins";
  EXPECT_EQ(c.origin_of("run.verbose"), "override 'run.verbose=yes'");
  EXPECT_EQ(c.origin_of("selector.kind"), "") << "a default";
  EXPECT_EQ(c.source(), "x.yaml");
  EXPECT_EQ(c.keys_from_source(), 2u);
  EXPECT_EQ(parse("# only a comment\n", {"selector.c=1"}).keys_from_source(), 0u);
  c.set("selector.kind", "greedy", "campaign.yaml:9");
  EXPECT_EQ(c.origin_of("selector.kind"), "campaign.yaml:9");
  c.set("run.name", "n");
  EXPECT_EQ(c.origin_of("run.name"), "override 'run.name=n'");
  Config stored = Config::from_values({{"selector.c", "5"}}, schema, "run.json");
  EXPECT_EQ(stored.origin_of("selector.c"), "run.json");
  EXPECT_EQ(stored.origin_of("selector.kind"), "");
}

TEST_F(ConfigTest, SetIsValidatedLikeAnOverride) {
  Config c = parse("");
  c.set("run.iterations", "7");
  EXPECT_EQ(c.get_int("run.iterations"), 7);
  EXPECT_EQ(error_of([&] { c.set("run.iterations", "7000"); }),
            "set 'run.iterations=7000': key 'run.iterations': value 7000 is out of range [1, 1000]");
  EXPECT_NE(error_of([&] { c.set("nope", "1"); }).find("unknown key 'nope'"), std::string::npos);
}

TEST_F(ConfigTest, GettersCheckTheDeclaredType) {
  Config c = parse("");
  EXPECT_THROW(c.get_int("selector.c"), ConfigError);
  EXPECT_THROW(c.get_string("nope"), ConfigError);
}

TEST_F(ConfigTest, CanonicalTextIsSortedAndNormalized) {
  Config a = parse("selector.c: 1.0\nrun.verbose: on\n");
  Config b = parse("run.verbose: true\nselector.c: 1\n");
  EXPECT_EQ(a.canonical(), b.canonical());
  EXPECT_EQ(a.canonical(),
            "broker.endpoint: tcp://127.0.0.1:5555\n"
            "llm.models: a,b\n"
            "run.iterations: 10\n"
            "run.name: default-name\n"
            "run.verbose: true\n"
            "selector.c: 1\n"
            "selector.kind: ucb\n"
            "workers.count: 2\n");
  EXPECT_EQ(parse("selector.c: 0.1\n").values().at("selector.c"), "0.1");
}

TEST_F(ConfigTest, ResultAffectingDifferencesIgnoreOperationalKeys) {
  Config a = parse("");
  Config b = parse("workers.count: 16\nbroker.endpoint: tcp://10.0.0.1:1\n");
  EXPECT_TRUE(a.result_affecting_differences(b).empty());
  Config c = parse("selector.c: 2\nrun.iterations: 3\nworkers.count: 16\n");
  EXPECT_EQ(a.result_affecting_differences(c), (std::vector<std::string>{"run.iterations", "selector.c"}));
}

TEST_F(ConfigTest, FromValuesRoundTrips) {
  Config a = parse("selector.c: 2.25\nllm.models: [m1, m2]\n");
  Config b = Config::from_values(a.values(), schema, "redis bigpe:exp:e1:meta");
  EXPECT_EQ(a.canonical(), b.canonical());
  EXPECT_TRUE(a.result_affecting_differences(b).empty());
  EXPECT_EQ(error_of([&] { Config::from_values({{"gone.key", "1"}}, schema, "redis bigpe:exp:e1:meta"); }),
            "redis bigpe:exp:e1:meta: unknown key 'gone.key'");
  EXPECT_EQ(error_of([&] { Config::from_values({{"selector.c", "x"}}, schema, "stored"); }),
            "stored: key 'selector.c': expected a number, got 'x'");
}

TEST(ConfigSchemaTest, InvalidDeclarationsAreRefused) {
  ConfigSchema s;
  s.add({"a", ConfigType::kInt, "1"});
  EXPECT_THROW(s.add({"a", ConfigType::kInt, "1"}), ConfigError);
  EXPECT_EQ(error_of([&] { s.add({"b", ConfigType::kInt, "x"}); }),
            "config schema: key 'b': default: expected an integer, got 'x'");
  EXPECT_EQ(s.find("a")->type, ConfigType::kInt);
  EXPECT_EQ(s.find("b"), nullptr);
}

}  // namespace
}  // namespace bigpe
