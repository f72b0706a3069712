#pragma once
// StateStore: an experiment's records in Redis (docs/design.md section 4).
//
//   bigpe:exp:<id>:meta     hash: config (msgpack of key -> value text),
//                           config_hash, status, reason, created, updated,
//                           code_version, iteration; campaign_id, variant,
//                           repeat for a campaign's experiment
//   bigpe:exp:<id>:eval:<e> a `bigpe eval` study that includes it (msgpack),
//                           listed in the hash bigpe:exp:<id>:evals
//   bigpe:exp:<id>:state    ExperimentState, replaced at each boundary
//   bigpe:exp:<id>:instr    hash: instruction id -> msgpack record
//   bigpe:exp:<id>:iter:<n> iteration record (msgpack)
//   bigpe:exp:<id>:eval     held-out evaluation (msgpack)
//   bigpe:exp:<id>:events   stream of progress events
//   bigpe:experiments       sorted set: id by creation time
//
// An iteration's state, record, new instructions and event are committed in
// one MULTI/EXEC, so a reader (or a resumed run) never sees half of one.
// Not thread-safe: use from the scheduler thread.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/redis/redis_client.h"
#include "scheduler/experiment/experiment_state.h"
#include "common/redis/redis_keys.h"

namespace bigpe::engine {

class StateStore {
 public:
  StateStore(RedisClient& redis, std::string experiment_id);

  const std::string& experiment_id() const { return id_; }
  bool exists();

  // Records a new experiment: its resolved config and hash, status
  // "running", and the index entry.
  void create(const std::map<std::string, std::string>& config_values,
              const std::string& config_hash);
  // Adds fields to the meta hash (campaign membership).
  // A resume that may change the config (nothing committed yet): the
  // stored config and its hash become these.
  void replace_config(const std::map<std::string, std::string>& config_values, const std::string& config_hash);
  void set_meta(const std::map<std::string, std::string>& fields);
  std::map<std::string, std::string> load_meta();
  std::map<std::string, std::string> load_config_values();
  std::string load_config_hash();

  std::optional<ExperimentState> load_state();

  // Commits the boundary atomically. `event` fields go to the stream.
  void commit(const ExperimentState& state, int iteration, const std::string& iteration_record,
              const std::vector<InstructionRecord>& new_instructions,
              const std::map<std::string, std::string>& event);
  void commit_evaluation(const ExperimentState& state, const std::string& eval_record,
                         const std::map<std::string, std::string>& event);
  std::optional<std::string> load_evaluation();
  std::optional<std::string> load_iteration(int iteration);

  // status: running | stopped | finished | failed; reason is free text.
  void set_status(const std::string& status, const std::string& reason);
  void add_event(const std::map<std::string, std::string>& event);

  std::string key(const std::string& suffix) const { return redis_keys::experiment(id_, suffix); }

 private:
  RedisClient& redis_;
  std::string id_;
};

std::string encode_instruction(const InstructionRecord& r);

}  // namespace bigpe::engine
