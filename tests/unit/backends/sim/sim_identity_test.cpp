// The sim backends' identity: what a sim worker advertises in READY and
// every task names, so that workers with another vocabulary never serve, or
// share cached results with, a run that uses this one.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "backends/backend_identity.h"
#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_scorer.h"
#include "backends/sim/sim_vocabulary.h"
#include "tests/support/test_paths.h"

namespace bigpe {
namespace {

std::shared_ptr<const sim::Vocabulary> vocab(const std::vector<std::string>& phrases) {
  return std::make_shared<const sim::Vocabulary>(sim::Vocabulary::from_phrases(phrases));
}

TEST(SimIdentity, VocabularyHashMatchesGoldenValue) {
  // Python: hashlib.sha256(b"highly detailed\noil painting\n").hexdigest()[:16]
  EXPECT_EQ(sim::vocabulary_hash(sim::Vocabulary::from_phrases({"Highly  detailed", "oil painting"})),
            "94a94a6ec8e970fd");
}

TEST(SimIdentity, NamesTheBenchmarkTheVocabularyAndTheImageSize) {
  SimScorer scorer(vocab({"highly detailed", "oil painting"}));
  EXPECT_EQ(scorer.identity(), "sim-v1;vocab=94a94a6ec8e970fd");
  EXPECT_EQ(SimRenderer().identity(), "sim-image-v1;size=64");
  EXPECT_EQ(SimRenderer(SimRendererOptions{0, 8}).identity(), "sim-image-v1;size=8");
  EXPECT_EQ(backend_identity(SimRenderer(), scorer), "sim-image-v1;size=64+sim-v1;vocab=94a94a6ec8e970fd");
}

TEST(SimIdentity, AnotherVocabularyIsAnotherIdentity) {
  const std::string base = SimScorer(vocab({"highly detailed", "oil painting"})).identity();
  EXPECT_NE(SimScorer(vocab({"highly detailed"})).identity(), base);
  EXPECT_NE(SimScorer(vocab({"oil painting", "highly detailed"})).identity(), base) << "order decides ties";
  EXPECT_NE(SimScorer(vocab({"highly detailed", "oil painting", "bokeh"})).identity(), base);
}

TEST(SimIdentity, FilesThatLoadToTheSamePhrasesShareTheIdentity) {
  testing::TempDir dir;
  const std::string a = dir.file("a.txt"), b = dir.file("b.txt");
  std::ofstream(a) << "highly detailed\noil painting\n";
  std::ofstream(b) << "# a comment\n\nHighly Detailed\n  oil   painting\nhighly detailed\n";
  EXPECT_EQ(SimScorer(std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(a))).identity(),
            SimScorer(std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(b))).identity());
}

}  // namespace
}  // namespace bigpe
