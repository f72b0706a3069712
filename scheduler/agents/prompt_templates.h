#pragma once
// PromptTemplates: the prose the agents send (system prompts, request and
// reminder sentences), kept in scheduler/agents/templates/*.txt and embedded
// into the binary at build time, so a deployed program needs no source tree.
// Setting BIGPE_TEMPLATE_DIR replaces any template with <dir>/<name>.txt
// when that file exists (to try a wording without rebuilding).
//
// The line formats the backends parse (markers such as "Instruction:
// <<<...>>>") are written by the agents' code, not by templates, so editing
// a template cannot break the message contract.
//
// Thread-safety: a plain value; load() reads the environment and files and
// may be called concurrently.
#include <string>
#include <vector>

namespace bigpe {

struct PromptTemplates {
  std::string generator_system;
  std::string generator_retry;   // appended to the system prompt on a retry
  std::string gradient_system;
  std::string gradient_intro;    // first line of the GC user message
  std::string gradient_format;   // last part: asks for Inference/Improvement
  std::string gradient_retry;
  std::string modifier_system;
  std::string modifier_request;  // asks for one short general instruction
  std::string modifier_retry;
  std::string fallback_request;  // asks for 3 "Instruction k:" blocks
  std::string fallback_retry;

  // The embedded texts with any BIGPE_TEMPLATE_DIR overrides applied. Throws
  // std::runtime_error naming the file when an override cannot be read or is
  // empty.
  static PromptTemplates load();
};

// The embedded text of template `name` (file name without ".txt"), trimmed
// of surrounding whitespace. Throws std::out_of_range naming `name` when no
// such template was embedded.
const std::string& embedded_template(const std::string& name);

// Names of every embedded template, sorted.
std::vector<std::string> embedded_template_names();

}  // namespace bigpe
