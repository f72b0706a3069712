#include "scheduler/run/llm_factory.h"

#include "backends/sim/sim_vocabulary.h"

namespace bigpe {

std::unique_ptr<LlmClient> make_llm_client(const LlmSettings& settings) {
  if (settings.backend == "heuristic") {
    const std::string path =
        settings.vocabulary_path.empty() ? sim::default_vocabulary_path() : settings.vocabulary_path;
    auto vocab = std::make_shared<const sim::Vocabulary>(sim::Vocabulary::load(path));
    if (vocab->size() == 0) throw LlmError("heuristic LLM: the vocabulary " + path + " holds no phrases");
    return std::make_unique<HeuristicLlm>(std::move(vocab), settings.heuristic);
  }
  if (settings.backend == "openai") return std::make_unique<OpenAiClient>(settings.openai);
  throw LlmError("llm.backend: unknown backend '" + settings.backend +
                 "' (known: heuristic, openai)");
}

}  // namespace bigpe
