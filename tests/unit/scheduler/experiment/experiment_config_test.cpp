// The settings table binds each key to one member: every declared default
// reaches the struct, each key moves only its own member, and the schema
// made from the table validates as the declarations say.
#include "scheduler/experiment/experiment_config.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

namespace bigpe::engine {
namespace {

Config defaults() { return Config::parse("", "test", experiment_schema()); }

// A valid value other than the default, in YAML scalar text; empty when the
// key allows one value only (a choice of one).
std::string other_value(const ConfigKey& k, const std::string& current) {
  switch (k.type) {
    case ConfigType::kBool: return current == "true" ? "false" : "true";
    case ConfigType::kInt: {
      long long v = std::stoll(current);
      return std::to_string(k.max && v + 1 > *k.max ? v - 1 : v + 1);
    }
    case ConfigType::kDouble: {
      double v = std::stod(current);
      double next = k.max && v + 0.25 > *k.max ? v - 0.25 : v + 0.25;
      return std::to_string(next);
    }
    case ConfigType::kString:
      for (const std::string& c : k.choices)
        if (c != current) return c;
      return k.choices.empty() ? current + "-other" : "";
    case ConfigType::kStringList: break;
  }
  ADD_FAILURE() << "no other value for " << k.name;
  return current;
}

std::map<std::string, std::string> member_texts(const ExperimentSettings& s) {
  ExperimentSettings copy = s;
  std::map<std::string, std::string> out;
  for (const auto& b : experiment_bindings()) out[b.key.name] = b.text(copy);
  return out;
}

TEST(ExperimentConfig, EveryDeclaredDefaultReachesItsMember) {
  const Config c = defaults();
  const std::map<std::string, std::string> members = member_texts(settings_from(c));
  ASSERT_EQ(members.size(), experiment_schema().keys().size()) << "every schema key has one binding";
  for (const auto& [name, text] : members) {
    // The member's value, read back through the schema, is the declared default.
    Config back = c;
    back.set(name, text);
    EXPECT_EQ(back.values().at(name), c.values().at(name)) << name << " holds " << text;
  }
}

TEST(ExperimentConfig, EachKeyMovesOnlyItsOwnMember) {
  const Config base = defaults();
  const std::map<std::string, std::string> before = member_texts(settings_from(base));
  for (const auto& [name, key] : experiment_schema().keys()) {
    Config c = base;
    const std::string v = other_value(key, base.values().at(name));
    if (v.empty()) continue;
    c.set(name, v);
    ASSERT_NE(c.values().at(name), base.values().at(name)) << name;
    const std::map<std::string, std::string> after = member_texts(settings_from(c));
    for (const auto& [other, text] : after) {
      if (other == name) {
        Config back = base;
        back.set(name, text);
        EXPECT_EQ(back.values().at(name), c.values().at(name)) << name << " did not reach its member";
      } else {
        EXPECT_EQ(text, before.at(other)) << "setting " << name << " also changed " << other;
      }
    }
  }
}

TEST(ExperimentConfig, KeysAreDeclaredOnceWithHelp) {
  std::set<std::string> names;
  for (const auto& b : experiment_bindings()) {
    EXPECT_TRUE(names.insert(b.key.name).second) << "declared twice: " << b.key.name;
    EXPECT_FALSE(b.key.help.empty()) << b.key.name;
  }
}

TEST(ExperimentConfig, TheTableDeclaresTypesRangesAndChoices) {
  const ConfigSchema& s = experiment_schema();
  EXPECT_EQ(s.find("render.steps")->type, ConfigType::kInt);
  EXPECT_EQ(s.find("selector.c")->type, ConfigType::kDouble);
  EXPECT_EQ(s.find("paired")->type, ConfigType::kBool);
  EXPECT_FALSE(s.find("local_workers")->affects_result);
  EXPECT_TRUE(s.find("render.steps")->affects_result);
  EXPECT_THROW(Config::parse("", "t", s, {"render.steps=1001"}), ConfigError);
  EXPECT_THROW(Config::parse("", "t", s, {"loop=beam"}), ConfigError);
  EXPECT_THROW(Config::parse("", "t", s, {"selector.c=-1"}), ConfigError);
}

TEST(ExperimentConfig, EmbeddedComponentSettingsAreFilledInPlace) {
  const ExperimentSettings s = settings_from(Config::parse(
      "", "t", experiment_schema(),
      {"render.steps=7", "render.service=svc", "llm.max_concurrent=3", "selector.c=0.25", "llm.temperature=0.5"}));
  EXPECT_EQ(s.dispatch.params.steps, 7);
  EXPECT_EQ(s.dispatch.service, "svc");
  EXPECT_EQ(s.llm_concurrency(), 3);
  EXPECT_DOUBLE_EQ(s.selector.c, 0.25);
  EXPECT_DOUBLE_EQ(s.agents.temperature, 0.5);
}

TEST(ExperimentConfig, APasswordInTheRedisUrlIsRefused) {
  EXPECT_THROW(settings_from(Config::parse("", "t", experiment_schema(), {"redis=redis://:pw@127.0.0.1:6379"})),
               ConfigError);
}

}  // namespace
}  // namespace bigpe::engine
