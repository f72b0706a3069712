// Lookups into nlohmann::ordered_json that name the key (common/json_access.h).
#include "common/json_access.h"

#include <gtest/gtest.h>

#include <string>

namespace bigpe::json {
namespace {

using nlohmann::ordered_json;

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const JsonError& e) {
    return e.what();
  }
  return "no error";
}

const ordered_json kDoc = parse_strict(
    R"({"s": "x", "n": 1.5, "i": -7, "max": 9223372036854775807, "big": 9223372036854775808, "o": {}})");

TEST(JsonAccess, ReadsWhatIsThere) {
  EXPECT_EQ(require_string(kDoc, "s"), "x");
  EXPECT_EQ(require_int(kDoc, "i"), -7);
  EXPECT_EQ(require_int(kDoc, "max"), INT64_MAX);
  EXPECT_TRUE(require(kDoc, "o").is_object());
}

TEST(JsonAccess, ErrorsNameTheKeyAndTheType) {
  EXPECT_EQ(error_of([] { require(kDoc, "nope"); }), "JSON: missing key 'nope'");
  EXPECT_EQ(error_of([] { require(kDoc.at("s"), "k"); }), "JSON: expected an object holding 'k', got a string");
  EXPECT_EQ(error_of([] { require_string(kDoc, "i"); }), "JSON: key 'i': expected a string, got a number");
  EXPECT_EQ(error_of([] { require_int(kDoc, "s"); }), "JSON: key 's': expected an integer, got a string");
  EXPECT_EQ(error_of([] { object_of(kDoc.at("i"), "key 'i'"); }), "JSON: key 'i': expected an object, got a number");
  EXPECT_EQ(error_of([] { array_of(kDoc, "the file"); }), "JSON: the file: expected an array, got an object");
}

TEST(JsonAccess, IntegersAreNeverTruncated) {
  EXPECT_EQ(error_of([] { require_int(kDoc, "n"); }), "JSON: key 'n': expected an integer, got 1.5");
  EXPECT_EQ(error_of([] { require_int(kDoc, "big"); }),
            "JSON: key 'big': integer 9223372036854775808 does not fit in 64 bits");
  EXPECT_EQ(error_of([] { int_of(parse_strict("2.0"), "count"); }), "JSON: count: expected an integer, got 2.0");
}

TEST(JsonAccess, TypeNamesReadAsEnglish) {
  EXPECT_STREQ(type_name(ordered_json()), "null");
  EXPECT_STREQ(type_name(ordered_json(true)), "a boolean");
  EXPECT_STREQ(type_name(ordered_json(1u)), "a number");
  EXPECT_STREQ(type_name(ordered_json::array()), "an array");
  EXPECT_STREQ(type_name(ordered_json::object()), "an object");
}

}  // namespace
}  // namespace bigpe::json
