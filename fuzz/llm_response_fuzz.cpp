// Fuzz target: the HTTP bodies the LLM client reads from an
// OpenAI-compatible server (scheduler/llm/openai_client.h) and the strict
// JSON parser under them (common/json_strict.h). The first byte picks:
//   even: parse_chat_response(rest) returns a reply or throws LlmError, and
//         nothing else;
//   odd:  json::parse_strict(rest) returns a value or throws JsonError, and
//         a value it returns writes (dump_strict) and parses back equal.
#include "common/json_strict.h"
#include "fuzz/fuzz_input.h"
#include "scheduler/llm/llm_client.h"
#include "scheduler/llm/openai_client.h"

namespace {

void chat_response(const std::string& body) {
  try {
    (void)bigpe::parse_chat_response(body);
  } catch (const bigpe::LlmError&) {
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("parse_chat_response threw a non-LlmError: ") + e.what());
  }
}

void strict_json(const std::string& text) {
  nlohmann::ordered_json v;
  try {
    v = bigpe::json::parse_strict(text);
  } catch (const bigpe::json::JsonError&) {
    return;
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("parse_strict threw a non-JsonError: ") + e.what());
  }
  try {
    const std::string again = bigpe::json::dump_strict(v);
    if (bigpe::json::parse_strict(again) != v) bigpe::fuzz::contract_broken("JSON round trip differs: " + again);
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("a parsed value did not write and read back: ") + e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0)
    chat_response(rest);
  else
    strict_json(rest);
  return 0;
}
