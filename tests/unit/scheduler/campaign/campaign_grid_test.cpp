// Campaign files: the schema's validation (every error names file, line and
// key) and the grid expansion (variants x repeats, seeds and tastes).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "scheduler/campaign/campaign_grid.h"
#include "scheduler/campaign/campaign_spec.h"
#include "tests/support/test_paths.h"

namespace bigpe::engine {
namespace {

class CampaignGridTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.file("base.yaml")) << "name: base\nseed: 5\niterations: 3\nselector:\n  kind: ucb\n";
  }
  // Parses `text` as if it were dir/c.yaml (so `base: base.yaml` resolves).
  CampaignSpec parse(const std::string& text) { return parse_campaign_spec(text, dir_.file("c.yaml")); }
  std::string error_of(const std::string& text) {
    try {
      expand_campaign(parse(text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "(no error)";
  }
  testing::TempDir dir_{"campaign-grid"};
};

TEST_F(CampaignGridTest, ExpandsVariantsTimesRepeatsWithSeedsAndTastesFromRepeat) {
  CampaignSpec spec = parse(
      "name: grid\nbase: base.yaml\nset:\n  eval.seeds: 2\nvariants:\n"
      "  - name: a\n    set: {selector.kind: greedy}\n"
      "  - name: b\n    set:\n      selector:\n        kind: eps-greedy\n      batch_size: 5\n"
      "repeats: 3\nseed_base: 10\ntaste_from_repeat: true\ntaste_base: 100\n");
  std::vector<CampaignCell> cells = expand_campaign(spec);
  ASSERT_EQ(cells.size(), 6u);
  EXPECT_EQ(cells[0].name, "a.r0");
  EXPECT_EQ(cells[5].name, "b.r2");
  EXPECT_EQ(cells[0].config.get_string("selector.kind"), "greedy");
  EXPECT_EQ(cells[4].config.get_string("selector.kind"), "eps-greedy");
  EXPECT_EQ(cells[4].config.get_int("batch_size"), 5);
  EXPECT_EQ(cells[1].config.get_int("batch_size"), 3);  // the base's default
  EXPECT_EQ(cells[2].config.get_int("iterations"), 3);  // from base.yaml
  for (const CampaignCell& c : cells) {
    EXPECT_EQ(c.config.get_int("seed"), 10 + c.repeat) << c.name;
    EXPECT_EQ(c.config.get_int("sim.taste_seed"), 100 + c.repeat) << c.name;
    EXPECT_EQ(c.config.get_int("eval.seeds"), 2) << c.name;
    EXPECT_EQ(c.config.get_string("name"), c.variant);
  }
}

TEST_F(CampaignGridTest, SeedsDefaultToTheBaseSeedAndTastesComeFromAList) {
  std::vector<CampaignCell> cells = expand_campaign(
      parse("name: g\nbase: base.yaml\nvariants:\n  - name: only\nrepeats: 2\ntastes: [7, 3]\n"));
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].config.get_int("seed"), 5);
  EXPECT_EQ(cells[1].config.get_int("seed"), 6);
  EXPECT_EQ(cells[0].config.get_int("sim.taste_seed"), 7);
  EXPECT_EQ(cells[1].config.get_int("sim.taste_seed"), 3);
}

TEST_F(CampaignGridTest, UnknownExperimentKeyInAVariantNamesFileLineAndKey) {
  std::string e = error_of("name: g\nbase: base.yaml\nvariants:\n  - name: a\n    set:\n      selector.kindd: ucb\n");
  EXPECT_NE(e.find("c.yaml:6"), std::string::npos) << e;
  EXPECT_NE(e.find("variants[0].set.selector.kindd"), std::string::npos) << e;
  EXPECT_NE(e.find("selector.kind"), std::string::npos) << e;  // the suggestion
}

TEST_F(CampaignGridTest, BadValueNamesFileLineAndKey) {
  std::string e = error_of("name: g\nbase: base.yaml\nvariants:\n  - name: a\n    set: {batch_size: many}\n");
  EXPECT_NE(e.find("c.yaml:5"), std::string::npos) << e;
  EXPECT_NE(e.find("batch_size"), std::string::npos) << e;
  EXPECT_NE(e.find("many"), std::string::npos) << e;
}

TEST_F(CampaignGridTest, AVariantMayNotChangeTheSharedInfrastructure) {
  std::string e = error_of("name: g\nbase: base.yaml\nvariants:\n  - name: a\n    set: {local_workers: 4}\n");
  EXPECT_NE(e.find("c.yaml:5"), std::string::npos) << e;
  EXPECT_NE(e.find("local_workers"), std::string::npos) << e;
  EXPECT_NE(e.find("share one infrastructure"), std::string::npos) << e;
}

TEST_F(CampaignGridTest, SchemaErrorsNameFileLineAndKey) {
  auto spec_error = [&](const std::string& text) {
    try {
      parse(text);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(spec_error("name: g\nbase: nowhere.yaml\nvariants: [{name: a}]\n").find("c.yaml:2: key 'base'"),
            std::string::npos);
  EXPECT_NE(spec_error("name: g\nbase: base.yaml\nvariants: [{name: a}]\nrepeat: 3\n").find("c.yaml:4: key 'repeat'"),
            std::string::npos);
  EXPECT_NE(spec_error("name: g\nbase: base.yaml\nvariants: [{name: a}]\nrepeats: 2\ntastes: [1, 2, 3]\n")
                .find("c.yaml:5: key 'tastes'"),
            std::string::npos);
  EXPECT_NE(spec_error("name: g\nbase: base.yaml\nvariants:\n  - name: a\n  - name: a\n").find("c.yaml:5"),
            std::string::npos);
  EXPECT_NE(spec_error("name: 'bad name'\nbase: base.yaml\nvariants: [{name: a}]\n").find("c.yaml:1: key 'name'"),
            std::string::npos);
  EXPECT_NE(spec_error("base: base.yaml\nvariants: [{name: a}]\n").find("key 'name': missing"), std::string::npos);
}

TEST_F(CampaignGridTest, RepeatsOverrideSetsTheCampaignsRepeatsAndOtherOverridesSetEveryExperiment) {
  CampaignSpec spec = parse("name: g\nbase: base.yaml\nvariants: [{name: a}, {name: b}]\nrepeats: 2\n");
  apply_campaign_override(spec, "repeats=4");
  apply_campaign_override(spec, "iterations=7");
  EXPECT_EQ(spec.repeats, 4);
  std::vector<CampaignCell> cells = expand_campaign(spec);
  ASSERT_EQ(cells.size(), 8u);
  EXPECT_EQ(cells[3].name, "a.r3");
  EXPECT_EQ(cells[3].config.get_int("seed"), 5 + 3);
  EXPECT_EQ(cells[7].config.get_int("iterations"), 7);

  auto error_of_override = [&](CampaignSpec s, const std::string& o) {
    try {
      apply_campaign_override(s, o);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  for (const char* bad : {"repeats=0", "repeats=2.5", "repeats=", "repeats=many"})
    EXPECT_NE(error_of_override(spec, bad).find("override '" + std::string(bad) + "': the campaign's repeats: expected"),
              std::string::npos)
        << bad;
  CampaignSpec listed = parse("name: g\nbase: base.yaml\nvariants: [{name: a}]\nrepeats: 2\ntastes: [7, 3]\n");
  EXPECT_NE(error_of_override(listed, "repeats=3").find("lists 2 tastes, one per repeat; list 3 there instead"),
            std::string::npos);
  EXPECT_NE(error_of_override(spec, "repeats").find("expected key=value"), std::string::npos);
}

// The campaign files the project ships load and expand (a key the schema
// dropped or renamed would otherwise be found by the first user to run one).
TEST(ShippedCampaigns, EveryCampaignFileUnderExperimentsExpands) {
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(testing::source_dir() + "/experiments")) {
    const std::string path = e.path().string();
    if (path.size() < 14 || path.compare(path.size() - 14, 14, ".campaign.yaml") != 0) continue;
    ++files;
    try {
      EXPECT_FALSE(expand_campaign(load_campaign_spec(path)).empty()) << path;
    } catch (const std::exception& err) {
      ADD_FAILURE() << path << ": " << err.what();
    }
  }
  EXPECT_GE(files, 3);  // paper/ and sim/ table 1, sim/ judges
}

}  // namespace
}  // namespace bigpe::engine
