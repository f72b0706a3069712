// The experiment state's count of items only scored (renders_scored,
// experiment_state.h): it survives the encoding a resume reads back, a
// state without any keeps the bytes it had before the field, and a state
// written before it decodes with 0.
#include <gtest/gtest.h>

#include <msgpack.hpp>

#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"
#include "scheduler/experiment/experiment_state.h"

namespace bigpe::engine {
namespace {

// Whether `key` is a key of the top map or of any map in its arrays.
bool has_key(const msgpack::object& o, const std::string& key) {
  if (o.type == msgpack::type::MAP) {
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      const msgpack::object_kv& kv = o.via.map.ptr[i];
      if ((kv.key.type == msgpack::type::STR && kv.key.as<std::string>() == key) || has_key(kv.val, key)) return true;
    }
  }
  if (o.type == msgpack::type::ARRAY)
    for (uint32_t i = 0; i < o.via.array.size; ++i)
      if (has_key(o.via.array.ptr[i], key)) return true;
  return false;
}

bool has_key(const std::string& bytes, const std::string& key) {
  msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
  return has_key(oh.get(), key);
}

ExperimentState with_one_iteration(long scored) {
  ExperimentState s;
  s.next_iteration = 1;
  s.renders_done = 8;
  s.renders_cached = 2;
  s.renders_scored = scored;
  s.renders_spent = 10 + scored;
  IterationSummary sum;
  sum.best = 27.5;
  sum.mean = 26.25;
  sum.renders_done = 8;
  sum.renders_cached = 2;
  sum.renders_scored = scored;
  sum.renders_spent = 10 + scored;
  s.summaries.push_back(sum);
  return s;
}

TEST(StateScoredRenders, SurviveTheEncoding) {
  const std::string bytes = encode_state(with_one_iteration(6));
  EXPECT_TRUE(has_key(bytes, "renders_scored"));
  const ExperimentState back = decode_state(bytes);
  EXPECT_EQ(back.renders_scored, 6);
  ASSERT_EQ(back.summaries.size(), 1u);
  EXPECT_EQ(back.summaries[0].renders_scored, 6);
  EXPECT_EQ(back.renders_done, 8);
  EXPECT_EQ(back.renders_cached, 2);
  EXPECT_EQ(back.renders_spent, 16) << "the budget's count is its own";
  EXPECT_EQ(encode_state(back), bytes);
}

TEST(StateScoredRenders, ZeroIsNotStoredSoTheBytesAreAsBefore) {
  const std::string bytes = encode_state(with_one_iteration(0));
  EXPECT_FALSE(has_key(bytes, "renders_scored"));
  EXPECT_TRUE(has_key(bytes, "renders_cached"));
  EXPECT_EQ(encode_state(decode_state(bytes)), bytes);
}

TEST(StateScoredRenders, AStateFromBeforeTheFieldDecodesWithZero) {
  const std::string old = schemas::write_body(8, [](schemas::MapWriter& w) {
    w.field("next_iteration", 1).field("next_instruction", 1).field("pool", std::vector<std::string>{});
    w.field("instructions", std::vector<int>{}).field("history", std::vector<int>{});
    w.field("renders_done", 8L).field("renders_cached", 2L);
    w.key("summaries");
    w.packer().pack_array(1);
    schemas::MapWriter mw(w.packer(), 5);
    mw.field("iteration", 0).field("best", 27.5).field("mean", 26.25);
    mw.field("renders_done", 8L).field("renders_cached", 2L);
  });
  const ExperimentState s = decode_state(old);
  EXPECT_EQ(s.renders_scored, 0);
  EXPECT_EQ(s.renders_done, 8);
  ASSERT_EQ(s.summaries.size(), 1u);
  EXPECT_EQ(s.summaries[0].renders_scored, 0);
  EXPECT_EQ(s.summaries[0].renders_spent, 10) << "as before: rendered or cached";
}

}  // namespace
}  // namespace bigpe::engine
