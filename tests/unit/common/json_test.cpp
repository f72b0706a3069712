// The strict JSON reader/writer (common/json.h).
#include "common/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

namespace bigpe::json {
namespace {

std::string error_of(std::string_view text) {
  try {
    parse(text);
  } catch (const JsonError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Json, ParsesNestedDocument) {
  Value v = parse(R"( {"a": [1, -2.5, true, false, null], "b": {"c": "d"}, "e": 1e3} )");
  ASSERT_TRUE(v.is_object());
  const Array& a = v.at("a").as_array();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].as_int(), 1);
  EXPECT_DOUBLE_EQ(a[1].as_number(), -2.5);
  EXPECT_TRUE(a[2].as_bool());
  EXPECT_FALSE(a[3].as_bool());
  EXPECT_TRUE(a[4].is_null());
  EXPECT_EQ(v.at("b").at("c").as_string(), "d");
  EXPECT_DOUBLE_EQ(v.at("e").as_number(), 1000.0);
  EXPECT_EQ(v.find("missing"), nullptr);
}

TEST(Json, LargeIntegersStayExact) {
  Value v = parse("[9007199254740993, -9223372036854775808]");
  EXPECT_EQ(v.as_array()[0].as_int(), 9007199254740993LL);
  EXPECT_EQ(v.as_array()[1].as_int(), INT64_MIN);
  EXPECT_EQ(serialize(v), "[9007199254740993,-9223372036854775808]");
}

TEST(Json, DoublesRoundTrip) {
  for (double d : {0.1, 1.0 / 3.0, -2.5e-300, 6.02214076e23, 27.013851}) {
    Value back = parse(serialize(Value(d)));
    EXPECT_EQ(back.as_number(), d);
  }
}

TEST(Json, DecodesEscapesAndSurrogatePairs) {
  Value v = parse(R"("a\"b\\c\/d\n\t\u00e9\u20ac\ud83d\ude00")");
  EXPECT_EQ(v.as_string(), "a\"b\\c/d\n\t\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
}

TEST(Json, SerializesWithEscapingAndUtf8Passthrough) {
  Value v = Value::object();
  v["text"] = std::string("q\"\\\n\x01 caf\xC3\xA9 \xF0\x9F\x98\x80");
  v["n"] = 3;
  v["list"].push_back(Value(true));
  v["list"].push_back(Value());
  EXPECT_EQ(serialize(v),
            "{\"text\":\"q\\\"\\\\\\n\\u0001 caf\xC3\xA9 \xF0\x9F\x98\x80\",\"n\":3,"
            "\"list\":[true,null]}");
  EXPECT_EQ(parse(serialize(v)), v);
}

TEST(Json, ObjectsKeepInsertionOrder) {
  Value v = Value::object();
  v["z"] = 1;
  v["a"] = 2;
  v["z"] = 3;  // assignment keeps the first position
  EXPECT_EQ(serialize(v), R"({"z":3,"a":2})");
}

TEST(Json, ErrorsNameTheByteOffset) {
  EXPECT_EQ(error_of(R"({"a": 1,})"), "JSON: at byte 8: expected a string key in an object");
  EXPECT_EQ(error_of("[1 2]"), "JSON: at byte 3: expected ',' or ']' after an array element");
  EXPECT_EQ(error_of(""), "JSON: at byte 0: expected a value, got the end of the text");
  EXPECT_EQ(error_of("{} x"), "JSON: at byte 3: unexpected text after the JSON value");
  EXPECT_EQ(error_of(R"({"a":1,"a":2})"), "JSON: at byte 7: duplicate object key 'a'");
}

TEST(Json, RejectsWhatRfc8259Forbids) {
  for (const char* bad : {"01", "1.", ".5", "-", "1e", "+1", "NaN", "Infinity", "[1,]", "'x'",
                          "\"a\nb\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
                          "tru", "nul", "/*c*/1", "1e999"}) {
    EXPECT_THROW(parse(bad), JsonError) << bad;
  }
}

TEST(Json, RejectsInvalidUtf8) {
  EXPECT_NE(error_of("\"\xC3\"").find("invalid UTF-8"), std::string::npos);
  EXPECT_NE(error_of("\"\xC0\xAF\"").find("invalid UTF-8"), std::string::npos);  // overlong
  EXPECT_NE(error_of("\"\xED\xA0\x80\"").find("invalid UTF-8"), std::string::npos);  // surrogate
  EXPECT_THROW(serialize(Value(std::string("ok\xFF"))), JsonError);
}

TEST(Json, RefusesDeepNesting) {
  std::string deep(300, '[');
  deep += std::string(300, ']');
  EXPECT_NE(error_of(deep).find("nesting deeper"), std::string::npos);
  std::string fine(200, '[');
  fine += std::string(200, ']');
  EXPECT_NO_THROW(parse(fine));
}

TEST(Json, AccessorsNameWhatWasWrong) {
  Value v = parse(R"({"n": 1.5, "s": "x"})");
  try {
    v.at("s").as_number();
    FAIL();
  } catch (const JsonError& e) {
    EXPECT_STREQ(e.what(), "JSON: expected a number, got a string");
  }
  try {
    v.at("nope");
    FAIL();
  } catch (const JsonError& e) {
    EXPECT_STREQ(e.what(), "JSON: missing key 'nope'");
  }
  EXPECT_THROW(v.at("n").as_int(), JsonError);
  EXPECT_THROW(serialize(Value(std::nan(""))), JsonError);
}

}  // namespace
}  // namespace bigpe::json
