#pragma once
// Which backend identity an experiment's renders need, and whether the
// workers it will use have it (schemas/README.md section 7). The identity
// names what only a worker knows (the sim vocabulary, model files,
// precision); it is in every cache key and task, and the broker gives a
// task only to a worker that advertises the identity it names. This check
// runs before the first render, so that a run whose workers are set up
// differently stops with the reason instead of waiting, or silently using
// results of another setup.
//
// The identity needed:
//  - render.backend sim: the one a sim worker with this run's vocabulary
//    advertises, computed here from the vocabulary the agents use;
//  - otherwise (remote GPU workers): learned from the workers that serve
//    render.service (waiting for the first), and pinned in the experiment's
//    meta hash (`backend_identity`) so that a resume needs the same one.
// A stored identity that differs from the one needed now refuses the
// resume; workers of the service none of which has the identity refuse
// the run. Workers with other identities beside matching ones are named
// and kept apart by the broker.
//
// Not thread-safe: uses the scheduler's BrokerClient and StateStore.
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include "backends/sim/sim_vocabulary.h"
#include "broker/broker_client.h"
#include "scheduler/experiment/experiment_config.h"
#include "scheduler/run/infrastructure.h"
#include "scheduler/store/state_store.h"

namespace bigpe::engine {

class BackendIdentityRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The identity a sim worker with this vocabulary (and default image size)
// advertises.
std::string sim_identity(std::shared_ptr<const sim::Vocabulary> vocabulary);

// Returns the identity the run's renders need and pins it in `store` (null:
// nothing pinned, as for `bigpe eval`). Throws BackendIdentityRefused with
// the identities involved, Interrupted while waiting for a worker.
std::string check_backend_identity(const ExperimentSettings& s, std::shared_ptr<const sim::Vocabulary> vocabulary,
                                   const Infrastructure& infra, broker::BrokerClient& client, StateStore* store,
                                   std::ostream& out);

}  // namespace bigpe::engine
