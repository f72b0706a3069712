// Fuzz target: the parsers of LLM replies (scheduler/agents/output_parsers.h).
// Contract: pure functions that never throw, and whose results hold no
// line break where the contract says "one line" (the generated prompt).
#include "fuzz/fuzz_input.h"
#include "scheduler/agents/output_parsers.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string reply(reinterpret_cast<const char*>(data), size);
  try {
    const std::string prompt = bigpe::parse_generated_prompt(reply);
    if (prompt.find('\n') != std::string::npos)
      bigpe::fuzz::contract_broken("parse_generated_prompt returned more than one line");
    (void)bigpe::parse_instruction(reply);
    (void)bigpe::parse_improvements(reply);
    (void)bigpe::parse_inferences(reply);
    (void)bigpe::parse_instruction_blocks(reply);
    (void)bigpe::is_directive_line(reply);
  } catch (const std::exception& e) {
    bigpe::fuzz::contract_broken(std::string("an output parser threw: ") + e.what());
  }
  return 0;
}
