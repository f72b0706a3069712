// ProfessionalDb: loading the paper's JSONL and plain lists, choosing
// exemplars, and the sim-v1 synthetic database.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "backends/sim/sim_text.h"
#include "backends/sim/sim_vocabulary.h"
#include "scheduler/prodb/professional_db.h"

namespace bigpe {
namespace {

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/prodb_test_" + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(ProfessionalDbJsonl, LoadsRowsPerQuery) {
  const std::string path = write_file(
      "good.jsonl",
      "{\"query\": \"A cactus\", \"prompt\": \"cactus at dusk, oil painting\"}\n"
      "\n"
      "{\"query\": \"A cactus\", \"prompt\": \"desert cactus, 8k\", \"extra\": 1}\n"
      "{\"query\": \"Farm with windmill\", \"prompt\": \"windmill on a farm\"}\n");
  const ProfessionalDb db = ProfessionalDb::load_jsonl(path);
  EXPECT_EQ(db.size(), 3u);
  EXPECT_EQ(db.rows_for("A cactus"),
            (std::vector<std::string>{"cactus at dusk, oil painting", "desert cactus, 8k"}));
  // Case and spacing do not matter.
  EXPECT_EQ(db.rows_for("  a   CACTUS ").size(), 2u);
  EXPECT_TRUE(db.rows_for("A lighthouse").empty());
}

TEST(ProfessionalDbJsonl, BadRowNamesFileLineAndField) {
  const std::string missing = write_file(
      "missing.jsonl",
      "{\"query\": \"A cactus\", \"prompt\": \"p\"}\n{\"query\": \"A cactus\"}\n");
  std::string e = error_of([&] { ProfessionalDb::load_jsonl(missing); });
  EXPECT_NE(e.find(missing + ":2"), std::string::npos) << e;
  EXPECT_NE(e.find("'prompt'"), std::string::npos) << e;

  const std::string wrong_type =
      write_file("type.jsonl", "\n\n{\"query\": 7, \"prompt\": \"p\"}\n");
  e = error_of([&] { ProfessionalDb::load_jsonl(wrong_type); });
  EXPECT_NE(e.find(wrong_type + ":3"), std::string::npos) << e;
  EXPECT_NE(e.find("'query'"), std::string::npos) << e;

  const std::string broken = write_file("broken.jsonl", "{\"query\": \"A\", \"prompt\": \n");
  e = error_of([&] { ProfessionalDb::load_jsonl(broken); });
  EXPECT_NE(e.find(broken + ":1"), std::string::npos) << e;

  const std::string not_object = write_file("array.jsonl", "[1, 2]\n");
  e = error_of([&] { ProfessionalDb::load_jsonl(not_object); });
  EXPECT_NE(e.find(not_object + ":1: expected a JSON object"), std::string::npos) << e;

  e = error_of([] { ProfessionalDb::load_jsonl("/nonexistent/prodb.jsonl"); });
  EXPECT_NE(e.find("/nonexistent/prodb.jsonl"), std::string::npos) << e;
}

TEST(ProfessionalDbText, OnePromptPerLineWithoutQueries) {
  const std::string path =
      write_file("plain.txt", "red fox in snow, watercolor\n\nlighthouse at night\r\n");
  const ProfessionalDb db = ProfessionalDb::load_text(path);
  EXPECT_EQ(db.prompts(),
            (std::vector<std::string>{"red fox in snow, watercolor", "lighthouse at night"}));
  EXPECT_TRUE(db.rows_for("red fox").empty());
  EXPECT_EQ(db.exemplars("A lighthouse", 5),
            (std::vector<std::string>{"lighthouse at night"}));
}

TEST(ProfessionalDbExemplars, OwnRowsArePreferredOverBm25) {
  const std::string path = write_file(
      "own.jsonl",
      "{\"query\": \"A red fox\", \"prompt\": \"fox one\"}\n"
      "{\"query\": \"A red fox\", \"prompt\": \"fox two\"}\n"
      "{\"query\": \"A red fox\", \"prompt\": \"fox three\"}\n"
      "{\"query\": \"A barn\", \"prompt\": \"a red fox red fox red fox by a barn\"}\n");
  const ProfessionalDb db = ProfessionalDb::load_jsonl(path);
  EXPECT_EQ(db.exemplars("A red fox", 2), (std::vector<std::string>{"fox one", "fox two"}));
  EXPECT_EQ(db.exemplars("A red fox", 10).size(), 3u);
  // No own rows: the best BM25 matches over every prompt.
  EXPECT_EQ(db.exemplars("Red fox", 1),
            (std::vector<std::string>{"a red fox red fox red fox by a barn"}));
  EXPECT_TRUE(db.exemplars("Volcano", 3).empty());
}

sim::Vocabulary small_vocab() {
  return sim::Vocabulary::from_phrases(
      {"highly detailed", "octane render", "oil painting", "cinematic lighting", "art nouveau",
       "sharp focus", "film grain", "watercolor", "bokeh", "golden hour", "matte painting",
       "trending on artstation"});
}

TEST(ProfessionalDbSynthetic, TenPromptsOfThreeToEightVocabularyPhrases) {
  const sim::Vocabulary vocab = small_vocab();
  const std::vector<std::string> queries = {"A cactus", "Farm with windmill",
                                            "Park with children playing"};
  const ProfessionalDb db = ProfessionalDb::synthetic(queries, vocab, 0);
  EXPECT_EQ(db.size(), 30u);
  for (const auto& q : queries) {
    const auto& rows = db.rows_for(q);
    ASSERT_EQ(rows.size(), ProfessionalDb::kSyntheticPerQuery) << q;
    for (const auto& prompt : rows) {
      // "<subject and prose>, <phrase>, <phrase>, ..."
      std::vector<std::string> parts;
      for (std::size_t start = 0;;) {
        const auto comma = prompt.find(", ", start);
        parts.push_back(prompt.substr(start, comma - start));
        if (comma == std::string::npos) break;
        start = comma + 2;
      }
      ASSERT_GE(parts.size(), 4u) << prompt;
      EXPECT_LE(parts.size(), 9u) << prompt;
      const std::set<std::string> distinct(parts.begin() + 1, parts.end());
      EXPECT_EQ(distinct.size(), parts.size() - 1) << prompt;
      for (std::size_t i = 1; i < parts.size(); ++i)
        EXPECT_TRUE(vocab.contains(parts[i])) << parts[i];
      // The head keeps the subject or names a drifted one.
      const std::string head = sim::normalize_phrase(parts[0]);
      const bool has_subject = head.find(sim::words(q).back()) != std::string::npos;
      const bool drifted = head.find("scene") != std::string::npos ||
                           head.find("view") != std::string::npos ||
                           head.find("place") != std::string::npos;
      EXPECT_TRUE(has_subject || drifted) << prompt;
    }
  }
}

TEST(ProfessionalDbSynthetic, DeterministicPerSeedAndPerQuery) {
  const sim::Vocabulary vocab = small_vocab();
  const auto a = ProfessionalDb::synthetic({"A cactus", "A lighthouse"}, vocab, 3);
  const auto b = ProfessionalDb::synthetic({"A cactus", "A lighthouse"}, vocab, 3);
  const auto other_seed = ProfessionalDb::synthetic({"A cactus", "A lighthouse"}, vocab, 4);
  const auto alone = ProfessionalDb::synthetic({"A lighthouse"}, vocab, 3);
  EXPECT_EQ(a.prompts(), b.prompts());
  EXPECT_NE(a.prompts(), other_seed.prompts());
  // A query's prompts come from its own stream, whatever else is in the set.
  EXPECT_EQ(a.rows_for("A lighthouse"), alone.rows_for("A lighthouse"));
  // Ten draws for one query are not all the same prompt.
  const auto& rows = a.rows_for("A cactus");
  EXPECT_GT(std::set<std::string>(rows.begin(), rows.end()).size(), 1u);
}

TEST(ProfessionalDbSynthetic, RefusesTinyVocabulary) {
  const auto vocab = sim::Vocabulary::from_phrases({"bokeh", "film grain"});
  const std::string e = error_of([&] { ProfessionalDb::synthetic({"A cactus"}, vocab); });
  EXPECT_NE(e.find("vocabulary has 2 phrases"), std::string::npos) << e;
}

}  // namespace
}  // namespace bigpe
