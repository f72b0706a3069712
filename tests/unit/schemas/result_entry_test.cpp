// A RESULT decoded as an entry never throws: what does not decode comes back
// with the error naming message and field, and with as much of its task id
// and attempt as can be read, so that the broker can give that task back.
#include <string>

#include <gtest/gtest.h>

#include "schemas/messages.h"
#include "tests/unit/schemas/body_builder.h"

namespace bigpe::schemas {
namespace {

using namespace test_bodies;

TEST(ResultEntry, AGoodResultDecodesWithItsIdAndAttempt) {
  BatchEntry<Result> e = decode_result_entry(encode(Result{"t", "payload", "", 2}));
  ASSERT_TRUE(e.value.has_value()) << e.error;
  EXPECT_EQ(e.value->body, "payload");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.attempt, 2);
  EXPECT_EQ(e.error, "");
}

TEST(ResultEntry, AResultWithoutBodyKeepsItsIdAndAttemptAndNamesTheField) {
  BatchEntry<Result> e = decode_result_entry(Body().v().field("task_id", "t").field("attempt", 3).bytes());
  EXPECT_FALSE(e.value.has_value());
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.attempt, 3);
  EXPECT_NE(e.error.find("RESULT.body"), std::string::npos) << e.error;
}

TEST(ResultEntry, AbsentAttemptIsOneAndAnUnreadableOneIsZero) {
  EXPECT_EQ(decode_result_entry(Body().v().field("task_id", "t").bytes()).attempt, 1);
  BatchEntry<Result> e = decode_result_entry(Body().v().field("task_id", "t").field("attempt", "two").bytes());
  EXPECT_FALSE(e.value.has_value());
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.attempt, 0);
  EXPECT_NE(e.error.find("RESULT.attempt"), std::string::npos) << e.error;
}

TEST(ResultEntry, GarbageNamesNoTask) {
  BatchEntry<Result> e = decode_result_entry(std::string("\xc1 not msgpack"));
  EXPECT_FALSE(e.value.has_value());
  EXPECT_EQ(e.task_id, "");
  EXPECT_NE(e.error.find("RESULT"), std::string::npos) << e.error;
  EXPECT_EQ(decode_result_entry(Body().v().field("task_id", 7).bytes()).task_id, "");
}

TEST(ResultEntry, PermanentRoundTripsAndDefaultsToFalse) {
  Result refusal{"t", "", "item 0 refused", 1};
  refusal.permanent = true;
  EXPECT_TRUE(decode_result(encode(refusal)).permanent);
  EXPECT_FALSE(decode_result(encode(Result{"t", "", "CUDA out of memory", 1})).permanent);
  EXPECT_FALSE(decode_result(Body().v().field("task_id", "t").field("error", "e").bytes()).permanent);
}

}  // namespace
}  // namespace bigpe::schemas
