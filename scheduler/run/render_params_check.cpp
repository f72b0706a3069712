#include "scheduler/run/render_params_check.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "scheduler/experiment/experiment_checks.h"
#include "schemas/protocol.h"

namespace bigpe::engine {

schemas::RenderLimits worker_limits(const ExperimentSettings& s, const std::string& identity,
                                    const Infrastructure& infra, broker::BrokerClient& client) {
  if (infra.local_workers()) return infra.local_limits();
  try {
    const auto patience = schemas::kHeartbeatInterval * schemas::kHeartbeatLiveness;
    for (const schemas::ServiceStatus& st : client.status(patience).services)
      if (st.name == s.dispatch.service && st.identity == identity && st.workers > 0) return st.limits;
  } catch (const std::runtime_error& e) {
    spdlog::warn("render params: no STATUS from the broker ({}); the workers check them per task", e.what());
  }
  return {};
}

namespace {

// The accepted value nearest to the refused one, as override text.
std::string suggestion(const std::string& field, const schemas::RenderParams& p, const schemas::RenderLimits& l) {
  auto nearest_multiple = [&](int v) {
    const int f = std::max(l.size_multiple, 1);
    return std::to_string(std::max(f, (v + f / 2) / f * f));
  };
  if (field == "steps") return std::to_string(l.max_steps > 0 && p.steps > l.max_steps ? l.max_steps : l.min_steps);
  if (field == "guidance") return l.max_guidance <= 1 ? "0" : std::to_string(static_cast<int>(l.max_guidance));
  if (field == "width") return nearest_multiple(p.width);
  if (field == "height") return nearest_multiple(p.height);
  return l.samplers.empty() ? p.sampler : l.samplers.front();
}

}  // namespace

void check_render_params(const Config& config, const ExperimentSettings& s, const schemas::RenderLimits& limits,
                         const std::string& resume_command) {
  std::vector<std::string> described;
  std::string fixes;
  for (const schemas::RenderParamProblem& p : schemas::render_param_problems(s.dispatch.params, limits)) {
    described.push_back(describe_problem(
        config, {{"render." + p.field}, "the workers of service " + s.dispatch.service + " refuse it: " + p.message}));
    fixes += " render." + p.field + "=" + suggestion(p.field, s.dispatch.params, limits);
  }
  if (described.empty()) return;
  std::string why = described.size() == 1 ? described[0]
                                          : std::to_string(described.size()) + " render params the workers refuse:";
  if (described.size() > 1)
    for (const std::string& d : described) why += "\n  " + d;
  why += "\nnothing was rendered, so a resume may change them" +
         (resume_command.empty() ? std::string(":") + fixes : ", e.g.: " + resume_command + fixes);
  throw RenderParamsRefused(why);
}

}  // namespace bigpe::engine
