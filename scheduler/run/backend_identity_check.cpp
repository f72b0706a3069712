#include "scheduler/run/backend_identity_check.h"

#include <set>

#include <spdlog/spdlog.h>

#include "backends/backend_identity.h"
#include "backends/sim/sim_renderer.h"
#include "backends/sim/sim_scorer.h"
#include "common/interrupt.h"
#include "worker/backend_factory.h"
#include "schemas/protocol.h"

namespace bigpe::engine {
namespace {

constexpr const char* kMetaField = "backend_identity";

std::string quoted_list(const std::set<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "'" : ", '") + id + "'";
  return out;
}

// The identities of the workers that now serve `service`, from the
// broker's STATUS (one entry per service and identity).
std::set<std::string> serving_identities(broker::BrokerClient& client, const std::string& service,
                                         std::chrono::milliseconds timeout) {
  std::set<std::string> ids;
  for (const schemas::ServiceStatus& st : client.status(timeout).services)
    if (st.name == service && st.workers > 0) ids.insert(st.identity);
  return ids;
}

// Remote workers' identities. `wait`: until at least one serves the
// service (the identity must be learned before any key can be computed);
// otherwise one look, and none when the broker does not answer (the tasks
// then wait at the broker as they always did).
std::set<std::string> remote_identities(broker::BrokerClient& client, const std::string& service, bool wait,
                                        std::ostream& out) {
  const auto patience = schemas::kHeartbeatInterval * schemas::kHeartbeatLiveness;
  if (!wait) {
    try {
      return serving_identities(client, service, patience);
    } catch (const std::runtime_error& e) {
      spdlog::warn("backend identity: no STATUS from the broker ({}); the workers' identity is not checked", e.what());
      return {};
    }
  }
  bool told = false;
  while (true) {
    if (interrupted()) throw Interrupted();
    try {
      std::set<std::string> ids = serving_identities(client, service, patience);
      if (!ids.empty()) return ids;
    } catch (const std::runtime_error&) {
      // The broker is not answering yet: ask again.
    }
    if (!told) {
      out << "waiting for a worker of service " << service << " to learn its backend identity...\n";
      out.flush();
      told = true;
    }
    client.poll(schemas::kHeartbeatInterval);  // nothing is submitted: this only waits and heartbeats
  }
}

}  // namespace

std::string sim_identity(std::shared_ptr<const sim::Vocabulary> vocabulary) {
  return backend_identity(SimRenderer{}, SimScorer(std::move(vocabulary)));
}

std::string check_backend_identity(const ExperimentSettings& s, std::shared_ptr<const sim::Vocabulary> vocabulary,
                                   const Infrastructure& infra, broker::BrokerClient& client, StateStore* store,
                                   std::ostream& out) {
  std::string computed;
  if (s.backend == "sim" && s.score_scorers.empty()) {
    computed = sim_identity(std::move(vocabulary));
  } else if (s.backend == "sim") {
    // Several scorers: the identity the local or remote workers built from
    // the same list (worker/scorer_set.h) has every one of them.
    BackendSettings bs;
    bs.sim_vocabulary = s.sim_vocabulary;
    bs.scorer = s.score_scorers;
    auto scorers = make_scorers(bs);
    std::vector<const Scorer*> list;
    for (const auto& sc : scorers) list.push_back(sc.get());
    computed = backend_identity(SimRenderer{}, list);
  }
  std::string pinned;
  if (store) {
    auto meta = store->load_meta();
    if (auto it = meta.find(kMetaField); it != meta.end()) pinned = it->second;
  }
  std::set<std::string> serving;
  if (!infra.local_identity().empty())
    serving.insert(infra.local_identity());
  else
    serving = remote_identities(client, s.dispatch.service, computed.empty() && pinned.empty(), out);

  std::string needed = !computed.empty() ? computed : pinned;
  if (needed.empty()) {
    if (serving.size() != 1)
      throw BackendIdentityRefused("workers of service " + s.dispatch.service + " advertise several backend identities (" +
                                   quoted_list(serving) +
                                   "): results would depend on which worker rendered them; stop the ones that "
                                   "differ, or give them another --service");
    needed = *serving.begin();
  }
  if (!pinned.empty() && pinned != needed)
    throw BackendIdentityRefused("the experiment was started with backend identity '" + pinned +
                                 "', and these settings need '" + needed +
                                 "' (for sim: the vocabulary file changed); its cached results would not match "
                                 "new ones, so it cannot go on");
  if (!serving.empty() && serving.count(needed) == 0)
    throw BackendIdentityRefused("no worker of service " + s.dispatch.service + " has the backend identity this run needs, '" +
                                 needed + "'; its workers advertise " + quoted_list(serving) +
                                 ". Start workers set up like this run (for sim: --sim-vocabulary with the run's "
                                 "sim.vocabulary), or serve the others under another --service");
  if (serving.size() > 1) {
    serving.erase(needed);
    out << "note: workers of service " << s.dispatch.service << " with other backend identities (" << quoted_list(serving)
        << ") get none of this run's tasks\n";
  }
  if (store && pinned.empty()) store->set_meta({{kMetaField, needed}});
  spdlog::info("backend identity for service {}: '{}'", s.dispatch.service, needed);
  return needed;
}

}  // namespace bigpe::engine
