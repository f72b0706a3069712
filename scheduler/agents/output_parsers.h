#pragma once
// Parsers for what LLMs actually reply: labels ("Refined Prompt:", "New
// Instruction:"), quotes, markdown bold, list numbering, chatty preambles
// ("Sure! Here is ...:") and explanations after the answer. Each returns
// empty text or an empty list when nothing usable is found; the agents then
// retry or fall back.
//
// Thread-safety: pure functions.
#include <string>
#include <vector>

namespace bigpe {

// The refined prompt in a Generator reply, on one line: drops leading
// preamble paragraphs that end in ':', keeps the first remaining paragraph
// (explanations after a blank line are dropped), strips a "Refined/Enhanced
// Prompt:" label, bold markers, numbering and surrounding quotes.
std::string parse_generated_prompt(const std::string& reply);

// An instruction in an Instruction Modifier reply. Instructions may span
// lines (free text, then "Add:", "Avoid:", "Keep under N words" directive
// lines), so line breaks inside the answer are kept; a later paragraph is
// kept only when it holds nothing but directive lines. Strips a "New
// Instruction:" / "Instruction:" / "Instruction k:" label, <<< >>> markers,
// bold, numbering and surrounding quotes. Empty when no letter remains.
std::string parse_instruction(const std::string& reply);

// Improvement texts in a Gradient Calculator reply, in order: lines matching
// the paper's `Improvement \d+: (...)` (any case, bold and "." or ")" after
// the number tolerated), or "Suggestion k:" lines, or else the numbered or
// bulleted items under a heading that mentions "Improvements"/"Suggestions".
// A label whose text is on the next line takes that line.
std::vector<std::string> parse_improvements(const std::string& reply);

// "Inference k: ..." texts, with the same tolerance.
std::vector<std::string> parse_inferences(const std::string& reply);

// Fallback reply: blocks that each start at a line beginning "Instruction
// k:" and run to the next such line, each cleaned by parse_instruction();
// empty blocks are dropped.
std::vector<std::string> parse_instruction_blocks(const std::string& reply);

// True when a line is an instruction directive: "Add: ...", "Avoid: ..." or
// "Keep under N words" (any case).
bool is_directive_line(const std::string& line);

}  // namespace bigpe
