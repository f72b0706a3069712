#include "scheduler/llm/llm_client.h"

namespace bigpe {

const char* role_name(AgentRole role) {
  switch (role) {
    case AgentRole::kGenerator: return "generator";
    case AgentRole::kGradient: return "gradient";
    case AgentRole::kModifier: return "modifier";
    case AgentRole::kFallback: return "fallback";
  }
  return "unknown";
}

}  // namespace bigpe
