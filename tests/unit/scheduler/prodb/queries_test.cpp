// The query pool: its file format, the fixed train / held-out split, and
// the project's shipped query list.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/content_hash.h"
#include "scheduler/prodb/professional_db.h"
#include "scheduler/prodb/query_set.h"

namespace bigpe {
namespace {

const std::string kShipped = BIGPE_SOURCE_DIR "/experiments/data/queries.txt";
const std::string kPaperData = BIGPE_SOURCE_DIR "/../shared/data/bigpe-paper";

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/queries_test_" + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::string& path) {
  try {
    load_queries(path);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(LoadQueries, SkipsBlankAndCommentLinesAndTrims) {
  const std::string path = write_file("ok.txt", "# pool\n\nA cactus  \n  Farm with windmill\r\n");
  EXPECT_EQ(load_queries(path), (std::vector<std::string>{"A cactus", "Farm with windmill"}));
}

TEST(LoadQueries, DuplicateNamesBothLines) {
  const std::string path = write_file("dup.txt", "A cactus\nA lava flow\n\nA cactus\n");
  const std::string e = error_of(path);
  EXPECT_NE(e.find(path + ":4: duplicate query 'A cactus' (first at line 1)"), std::string::npos)
      << e;
}

TEST(LoadQueries, RefusesControlCharactersMissingFileAndEmptyFile) {
  const std::string bad = write_file("ctl.txt", "A cactus\nA lava\x01 flow\n");
  EXPECT_NE(error_of(bad).find(bad + ":2"), std::string::npos);
  EXPECT_NE(error_of("/nonexistent/q.txt").find("/nonexistent/q.txt: cannot open"),
            std::string::npos);
  const std::string empty = write_file("empty.txt", "# nothing\n\n");
  EXPECT_NE(error_of(empty).find("holds no query"), std::string::npos);
}

TEST(SplitQueries, AlwaysHeldOutFirstThenHashRank) {
  const std::vector<std::string> all = {"q1", "q2", "q3", "q4", "q5", "q6"};
  const QuerySplit s = split_queries(all, {"q5", "not in pool"}, 3);
  ASSERT_EQ(s.heldout.size(), 3u);
  EXPECT_EQ(s.heldout[0], "q5");
  EXPECT_EQ(s.train.size(), 3u);
  // Train keeps file order and is exactly the complement.
  std::vector<std::string> expected_train;
  for (const auto& q : all)
    if (!contains(s.heldout, q)) expected_train.push_back(q);
  EXPECT_EQ(s.train, expected_train);
  // The other two are the lowest by SHA-256 of "heldout|<query>".
  std::vector<std::pair<std::string, std::string>> ranked;
  for (const auto& q : all)
    if (q != "q5") ranked.emplace_back(sha256_hex("heldout|" + q), q);
  std::sort(ranked.begin(), ranked.end());
  EXPECT_EQ(s.heldout[1], ranked[0].second);
  EXPECT_EQ(s.heldout[2], ranked[1].second);
  // Reordering the pool does not change which queries are held out.
  std::vector<std::string> reversed(all.rbegin(), all.rend());
  const QuerySplit r = split_queries(reversed, {"q5"}, 3);
  EXPECT_EQ(std::set<std::string>(r.heldout.begin(), r.heldout.end()),
            std::set<std::string>(s.heldout.begin(), s.heldout.end()));
}

TEST(SplitQueries, AlwaysHeldOutBeyondSizeAreAllKept) {
  const QuerySplit s = split_queries({"a", "b", "c"}, {"c", "a"}, 1);
  EXPECT_EQ(s.heldout, (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(s.train, (std::vector<std::string>{"b"}));
}

TEST(ShippedQueries, HundredQueriesInThePaperStyle) {
  const auto queries = load_queries(kShipped);
  EXPECT_EQ(queries.size(), 100u);
  int subjects = 0, scenes = 0;
  for (const auto& q : queries) {
    if (q.rfind("A ", 0) == 0 || q.rfind("An ", 0) == 0) ++subjects;
    else if (q.find(" with ") != std::string::npos) ++scenes;
  }
  EXPECT_EQ(subjects, 50);
  EXPECT_EQ(scenes, 50);
  for (const auto& q : paper_table2_queries()) EXPECT_TRUE(contains(queries, q)) << q;
  EXPECT_TRUE(contains(queries, "Farm with windmill"));
  EXPECT_EQ(load_queries(default_queries_path()), queries);
}

TEST(ShippedQueries, SplitIs80By20WithThePapersTenHeldOut) {
  const auto queries = load_queries(kShipped);
  const QuerySplit s = split_queries(queries, paper_table2_queries());
  EXPECT_EQ(s.train.size(), 80u);
  EXPECT_EQ(s.heldout.size(), 20u);
  const std::vector<std::string> first_ten(s.heldout.begin(), s.heldout.begin() + 10);
  EXPECT_EQ(first_ten, paper_table2_queries());
  for (const auto& q : s.heldout) EXPECT_FALSE(contains(s.train, q)) << q;
  const QuerySplit again = split_queries(queries, paper_table2_queries());
  EXPECT_EQ(again.train, s.train);
  EXPECT_EQ(again.heldout, s.heldout);
}

TEST(PaperData, LexicaPromptsAndNaiveQueries) {
  const std::string lexica = kPaperData + "/lexica_prompts.jsonl";
  const std::string naive = kPaperData + "/naive_prompts.txt";
  if (!std::filesystem::exists(lexica) || !std::filesystem::exists(naive))
    GTEST_SKIP() << "paper data not present at " << kPaperData;
  const auto db = ProfessionalDb::load_jsonl(lexica);
  const auto queries = load_queries(naive);
  EXPECT_EQ(db.size(), 1000u);
  ASSERT_EQ(queries.size(), 100u);
  for (const auto& q : queries) EXPECT_EQ(db.rows_for(q).size(), 10u) << q;
  for (const auto& q : paper_table2_queries()) EXPECT_TRUE(contains(queries, q)) << q;
  const QuerySplit s = split_queries(queries, paper_table2_queries());
  EXPECT_EQ(s.train.size(), 80u);
  EXPECT_EQ(s.heldout.size(), 20u);
}

}  // namespace
}  // namespace bigpe
