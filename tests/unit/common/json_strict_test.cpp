// Strict JSON reading and writing on nlohmann::ordered_json
// (common/json_strict.h).
#include "common/json_strict.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

namespace bigpe::json {
namespace {

using nlohmann::ordered_json;

std::string parse_error_of(std::string_view text) {
  try {
    parse_strict(text);
  } catch (const JsonError& e) {
    return e.what();
  }
  return "no error";
}

std::string dump_error_of(const ordered_json& v) {
  try {
    dump_strict(v);
  } catch (const JsonError& e) {
    return e.what();
  }
  return "no error";
}

std::string nested(int depth, char open, char close) {
  return std::string(depth, open) + std::string(depth, close);
}

TEST(JsonStrict, ParsesADocumentKeepingKeyOrder) {
  ordered_json v = parse_strict(R"( {"z": [1, -2.5, true, null], "a": {"c": "d"}, "e": 1e3} )");
  EXPECT_EQ(dump_strict(v), R"({"z":[1,-2.5,true,null],"a":{"c":"d"},"e":1000.0})");
}

TEST(JsonStrict, RefusesDuplicateKeysNamingKeyAndPlace) {
  EXPECT_EQ(parse_error_of(R"({"a":1,"a":2})"), "JSON: line 1, column 8: duplicate key 'a'");
  EXPECT_EQ(parse_error_of("{\"o\": {\"k\": 1,\n  \"k\": 2}}"), "JSON: line 2, column 3: duplicate key 'k'");
  // The same key in different objects is fine.
  EXPECT_NO_THROW(parse_strict(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})"));
}

TEST(JsonStrict, RefusesNestingDeeperThan256) {
  EXPECT_NO_THROW(parse_strict(nested(256, '[', ']')));
  EXPECT_EQ(parse_error_of(nested(257, '[', ']')), "JSON: line 1, column 257: nesting deeper than 256 levels");
  std::string objects;
  for (int i = 0; i < 257; ++i) objects += "{\"k\":";
  objects += "1" + std::string(257, '}');
  EXPECT_NE(parse_error_of(objects).find("nesting deeper than 256 levels"), std::string::npos);
}

TEST(JsonStrict, ErrorsNameLineAndColumn) {
  EXPECT_EQ(parse_error_of("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            "JSON: line 3, column 7: syntax error while parsing object separator - unexpected number literal; "
            "expected ':'");
  EXPECT_EQ(parse_error_of(R"({"a": 1,})"),
            "JSON: line 1, column 9: syntax error while parsing object key - unexpected '}'; expected string literal");
  EXPECT_EQ(parse_error_of(""),
            "JSON: line 1, column 1: syntax error while parsing value - unexpected end of input; expected '[', '{', "
            "or a literal");
  EXPECT_EQ(parse_error_of("[1,\n 1e999]"), "JSON: line 2, column 2: number out of range: 1e999");
}

TEST(JsonStrict, RefusesWhatRfc8259Forbids) {
  for (const char* bad : {"01", "1.", ".5", "-", "1e", "+1", "NaN", "Infinity", "[1,]", "{\"a\":1,}", "'x'",
                          "\"a\nb\"", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "tru", "nul",
                          "/*c*/1", "1 // c", "{} x", "1e999", "-1e999"}) {
    const std::string e = parse_error_of(bad);
    EXPECT_EQ(e.rfind("JSON: line 1, column ", 0), 0u) << bad << " -> " << e;
  }
}

TEST(JsonStrict, Utf8RoundTripsAndEscapesOnlyWhatItMust) {
  ordered_json v = parse_strict(R"("a\"b\\c\/d\n\t\u0001\u00e9\u20ac\ud83d\ude00 caf)" "\xC3\xA9\"");
  EXPECT_EQ(v.get<std::string>(), "a\"b\\c/d\n\t\x01\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 caf\xC3\xA9");
  EXPECT_EQ(dump_strict(v), "\"a\\\"b\\\\c/d\\n\\t\\u0001\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80 caf\xC3\xA9\"");
  EXPECT_EQ(parse_strict(dump_strict(v)), v);
}

TEST(JsonStrict, RefusesInvalidUtf8BothWays) {
  for (const char* bad : {"\"\xC3\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\""}) {  // truncated, overlong, surrogate
    const std::string e = parse_error_of(bad);
    EXPECT_NE(e.find("ill-formed UTF-8"), std::string::npos) << e;
    for (char c : e) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << "raw input bytes in: " << e;
  }
  ordered_json v;
  v["list"] = ordered_json::array({"ok", std::string("ok\xFF")});
  EXPECT_EQ(dump_error_of(v),
            "JSON: cannot write a string that is not valid UTF-8 (at /list/1: invalid UTF-8 byte at index 2: 0xFF)");
}

TEST(JsonStrict, RefusesNonFiniteNumbersOnWrite) {
  ordered_json v;
  v["eval"]["p_value"] = std::nan("");
  EXPECT_EQ(dump_error_of(v), "JSON: cannot write a non-finite number (at /eval/p_value)");
  EXPECT_EQ(dump_error_of(ordered_json::array({1, std::numeric_limits<double>::infinity()})),
            "JSON: cannot write a non-finite number (at /1)");
  EXPECT_EQ(dump_error_of(-std::numeric_limits<double>::infinity()),
            "JSON: cannot write a non-finite number (at the top level)");
}

TEST(JsonStrict, IntegersStayExact) {
  ordered_json v = parse_strict("[9223372036854775807, -9223372036854775808, 9007199254740993]");
  EXPECT_EQ(v[0].get<int64_t>(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(v[1].get<int64_t>(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(v[2].get<int64_t>(), 9007199254740993LL);
  EXPECT_EQ(dump_strict(v), "[9223372036854775807,-9223372036854775808,9007199254740993]");
  // Built from integers they print as integers; doubles always show they are doubles.
  EXPECT_EQ(dump_strict(ordered_json::array({3, int64_t{-4}, 1.0, 0.5})), "[3,-4,1.0,0.5]");
}

TEST(JsonStrict, DoublesRoundTrip) {
  for (double d : {0.1, 1.0 / 3.0, -2.5e-300, 6.02214076e23, 27.013851, 1e-5}) {
    EXPECT_EQ(parse_strict(dump_strict(ordered_json(d))).get<double>(), d);
  }
}

TEST(JsonStrict, ErrorsAreRuntimeErrors) {
  EXPECT_THROW(parse_strict("[1,]"), std::runtime_error);
  EXPECT_THROW(dump_strict(std::nan("")), std::runtime_error);
}

}  // namespace
}  // namespace bigpe::json
