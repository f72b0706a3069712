// Several scores per render (schemas/README.md sections 6, 7 and 7.3): the
// `scores` map in RESULT items and v2 result records, the image record, and
// that one-scorer RESULTs and records stay byte for byte what they were.
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <msgpack.hpp>

#include "schemas/decode_error.h"
#include "schemas/render_task.h"
#include "tests/unit/schemas/body_builder.h"

namespace bigpe::schemas {
namespace {

using namespace test_bodies;

// The keys of the map at the top of `bytes`, or of its items[0].
std::vector<std::string> keys_of(const std::string& bytes, bool first_item = false) {
  msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
  msgpack::object map = oh.get();
  if (first_item)
    for (uint32_t i = 0; i < map.via.map.size; ++i)
      if (map.via.map.ptr[i].key.as<std::string>() == "items") map = map.via.map.ptr[i].val.via.array.ptr[0];
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < map.via.map.size; ++i) keys.push_back(map.via.map.ptr[i].key.as<std::string>());
  return keys;
}

TEST(ScoreMap, AOneScorerResultItemHasNoScoresField) {
  RenderResult m{"t", {{"k1", 27.5, "", 1.0, 2.0, false}}, "w"};
  EXPECT_EQ(keys_of(encode(m), true),
            (std::vector<std::string>{"key", "score", "image_uri", "render_ms", "score_ms", "cached"}));
  EXPECT_TRUE(decode_render_result(encode(m)).items[0].scores.empty());
}

TEST(ScoreMap, ResultItemScoresRoundTrip) {
  RenderResult m{"t", {{"k1", 27.5, "", 1.0, 2.0, false, {{"sim", 27.5}, {"judge", 24}}}}, "w"};
  RenderResult d = decode_render_result(encode(m));
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_EQ(d.items[0].scores, (ScoreMap{{"sim", 27.5}, {"judge", 24.0}}));
  EXPECT_DOUBLE_EQ(d.items[0].score, 27.5);
}

TEST(ScoreMap, AnOldResultItemWithOnlyScoreIsRead) {
  std::string body = Body().v().field("task_id", "t").raw("items", [&](auto& pk) {
    pk.pack_array(1);
    pk.pack_map(2);
    pk.pack(std::string("key"));
    pk.pack(std::string("k"));
    pk.pack(std::string("score"));
    pk.pack(26.5);
  }).bytes();
  RenderResult d = decode_render_result(body);
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_DOUBLE_EQ(d.items[0].score, 26.5);
  EXPECT_TRUE(d.items[0].scores.empty());
}

// `rendered` (section 6): sent only for an item only scored; a rendered or
// cached item's bytes are what they were before the field.
TEST(ScoreMap, AScoredOnlyItemSaysRenderedFalse) {
  RenderResult m{"t", {{"k1", 27.5, "", 0.0, 2.0, false, {{"sim", 27.5}, {"judge", 24}}, false}}, "w"};
  const std::string bytes = encode(m);
  EXPECT_EQ(keys_of(bytes, true), (std::vector<std::string>{"key", "score", "image_uri", "render_ms", "score_ms",
                                                            "cached", "scores", "rendered"}));
  RenderResult d = decode_render_result(bytes);
  ASSERT_EQ(d.items[0].rendered, std::optional<bool>(false));
  EXPECT_TRUE(d.items[0].scored_only());
  EXPECT_FALSE(d.items[0].cached);
  EXPECT_EQ(encode(d), bytes);
}

TEST(ScoreMap, RenderedAndCachedItemsSendNoRenderedField) {
  const std::vector<std::string> six = {"key", "score", "image_uri", "render_ms", "score_ms", "cached"};
  RenderResult rendered{"t", {{"k1", 27.5, "", 1.0, 2.0, false, {}, true}}, "w"};
  RenderResult cached{"t", {{"k1", 27.5, "", 1.0, 2.0, true, {}, false}}, "w"};
  EXPECT_EQ(keys_of(encode(rendered), true), six);
  EXPECT_EQ(keys_of(encode(cached), true), six);
  EXPECT_EQ(encode(rendered), encode(RenderResult{"t", {{"k1", 27.5, "", 1.0, 2.0, false}}, "w"}));
  EXPECT_FALSE(decode_render_result(encode(rendered)).items[0].scored_only());
  EXPECT_FALSE(decode_render_result(encode(cached)).items[0].scored_only());
}

TEST(ScoreMap, AnItemFromBeforeRenderedIsRenderedUnlessCached) {
  for (bool cached : {false, true}) {
    std::string body = Body().v().field("task_id", "t").raw("items", [&](auto& pk) {
      pk.pack_array(1);
      pk.pack_map(4);
      pk.pack(std::string("key"));
      pk.pack(std::string("k"));
      pk.pack(std::string("score"));
      pk.pack(26.5);
      pk.pack(std::string("cached"));
      pk.pack(cached);
      pk.pack(std::string("scores"));
      pk.pack(ScoreMap{{"sim", 26.5}, {"judge", 20.0}});
    }).bytes();
    RenderResult d = decode_render_result(body);
    ASSERT_EQ(d.items.size(), 1u);
    EXPECT_FALSE(d.items[0].rendered.has_value()) << cached;
    EXPECT_FALSE(d.items[0].scored_only()) << cached;
    EXPECT_EQ(d.items[0].cached, cached);
  }
}

TEST(ScoreMap, RenderedMustBeABoolAndFalseWhenCached) {
  auto item = [](bool cached, auto rendered) {
    return Body().v().field("task_id", "t").raw("items", [=](auto& pk) {
      pk.pack_array(1);
      pk.pack_map(4);
      pk.pack(std::string("key"));
      pk.pack(std::string("k"));
      pk.pack(std::string("score"));
      pk.pack(26.5);
      pk.pack(std::string("cached"));
      pk.pack(cached);
      pk.pack(std::string("rendered"));
      pk.pack(rendered);
    }).bytes();
  };
  expect_error([&] { decode_render_result(item(true, true)); }, "RenderResult.items[0]", "rendered");
  expect_error([&] { decode_render_result(item(false, 1)); }, "RenderResult.items[0]", "rendered");
  EXPECT_TRUE(decode_render_result(item(false, false)).items[0].scored_only());
  EXPECT_FALSE(decode_render_result(item(false, true)).items[0].scored_only());
}

TEST(ScoreMap, AOneScoreRecordIsStillV1WithTheFieldsItAlwaysHad) {
  ResultRecord m{"k", 31.25, "x.png", 10, 2, "w", "t", "svc", "prompt", "query", 9, 1700000000.5, "id"};
  const std::string bytes = encode(m);
  EXPECT_EQ(keys_of(bytes), (std::vector<std::string>{"v", "key", "score", "image_uri", "render_ms", "score_ms",
                                                      "worker_id", "task_id", "service", "identity", "prompt",
                                                      "score_text", "seed", "created_at"}));
  EXPECT_EQ(bytes, Body().v(1).field("key", "k").field("score", 31.25).field("image_uri", "x.png")
                       .field("render_ms", 10.0).field("score_ms", 2.0).field("worker_id", "w").field("task_id", "t")
                       .field("service", "svc").field("identity", "id").field("prompt", "prompt")
                       .field("score_text", "query").field("seed", 9).field("created_at", 1700000000.5).bytes());
}

TEST(ScoreMap, AnOldV1RecordIsReadWithNoScoresMap) {
  ResultRecord d = decode_result_record(Body().v(1).field("key", "k").field("score", 25.5).bytes());
  EXPECT_DOUBLE_EQ(d.score, 25.5);
  EXPECT_TRUE(d.scores.empty());
}

TEST(ScoreMap, AV2RecordRoundTripsItsScoresAndImageKey) {
  ResultRecord m;
  m.key = "k";
  m.score = 30;
  m.scores = {{"sim", 30.0}, {"judge", 21.5}};
  m.image_key = "img";
  const std::string bytes = encode(m);
  ResultRecord d = decode_result_record(bytes);
  EXPECT_EQ(d.scores, m.scores);
  EXPECT_EQ(d.image_key, "img");
  EXPECT_DOUBLE_EQ(d.score, 30);
  msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
  EXPECT_EQ(oh.get().via.map.ptr[0].val.as<int>(), 2) << "v";
}

TEST(ScoreMap, AV2RecordWithoutScoresOrAV3RecordIsRefused) {
  expect_error([] { decode_result_record(Body().v(2).field("key", "k").field("score", 1.0).bytes()); },
               "ResultRecord", "scores");
  expect_error([] { decode_result_record(Body().v(3).field("key", "k").field("score", 1.0).bytes()); },
               "ResultRecord", "v");
}

TEST(ScoreMap, ImageRecordRoundTripsAndNeedsPromptAndSeed) {
  ImageRecord m{"ik", "a.png", 12.5, "w", "t", "sim", "sim-image-v1;size=64", "a cat", 7, 1700000000.0};
  ImageRecord d = decode_image_record(encode(m));
  EXPECT_EQ(d.key, "ik");
  EXPECT_EQ(d.image_uri, "a.png");
  EXPECT_EQ(d.identity, "sim-image-v1;size=64");
  EXPECT_EQ(d.prompt, "a cat");
  EXPECT_EQ(d.seed, 7);
  expect_error([] { decode_image_record(Body().v().field("key", "k").field("seed", 1).bytes()); }, "ImageRecord",
               "prompt");
}

}  // namespace
}  // namespace bigpe::schemas
