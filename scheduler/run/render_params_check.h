#pragma once
// Whether the workers that will render an experiment accept its render
// params (render.steps, render.guidance, render.width, render.height,
// render.sampler), checked before its first task is submitted: each worker
// advertises its model family and limits in READY (schemas/render_limits.h)
// and the broker lists them per service and identity in STATUS. A refused
// run stops before any render, naming each key with its origin and the
// workers' limits; since nothing was rendered under the refused params, a
// resume may change them (experiment_runner.cpp).
//
// Not thread-safe: uses the scheduler's BrokerClient.
#include <ostream>
#include <stdexcept>
#include <string>

#include "broker/broker_client.h"
#include "common/config.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/run/infrastructure.h"

namespace bigpe::engine {

class RenderParamsRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The limits of the workers with `identity` of the run's service: the local
// workers' or, for remote ones, the broker's STATUS (empty when no such
// worker is registered or the broker does not answer: nothing is checked,
// and the worker itself refuses a task outside its limits, for good).
schemas::RenderLimits worker_limits(const ExperimentSettings& s, const std::string& identity,
                                    const Infrastructure& infra, broker::BrokerClient& client);

// Throws RenderParamsRefused listing every param outside `limits`, each as
// "ORIGIN: key 'render.K': WHY" (describe_problem()), then
// `resume_command` with accepted values (the nearest ones) appended.
void check_render_params(const Config& config, const ExperimentSettings& s, const schemas::RenderLimits& limits,
                         const std::string& resume_command = "");

}  // namespace bigpe::engine
