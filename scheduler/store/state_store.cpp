#include "scheduler/store/state_store.h"

#include <chrono>

#include "schemas/msgpack_map.h"
#include "schemas/versioned_body.h"
#include "common/redis/redis_keys.h"

namespace bigpe::engine {
namespace {

std::string now_text() {
  using namespace std::chrono;
  double s = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() / 1000.0;
  return std::to_string(s);
}

std::vector<std::string> xadd(const std::string& stream, const std::map<std::string, std::string>& event) {
  // Bounded so a long campaign's stream cannot grow without limit.
  std::vector<std::string> cmd{"XADD", stream, "MAXLEN", "~", "100000", "*"};
  for (const auto& [k, v] : event) {
    cmd.push_back(k);
    cmd.push_back(v);
  }
  if (event.empty()) {
    cmd.push_back("type");
    cmd.push_back("event");
  }
  return cmd;
}

}  // namespace

std::string encode_instruction(const InstructionRecord& r) {
  return schemas::write_body(5, [&](schemas::MapWriter& w) {
    w.field("id", r.id).field("text", r.text).field("parent", r.parent);
    w.field("born", r.born).field("improvement", r.improvement);
  });
}

StateStore::StateStore(RedisClient& redis, std::string experiment_id)
    : redis_(redis), id_(std::move(experiment_id)) {}

bool StateStore::exists() {
  return redis_.command({"EXISTS", key("meta")}).integer > 0;
}

void StateStore::create(const std::map<std::string, std::string>& config_values,
                        const std::string& config_hash) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, config_values);
  std::string now = now_text();
  redis_.transaction({
      {"HSET", key("meta"), "config", std::string(buf.data(), buf.size()), "config_hash", config_hash,
       "status", "running", "reason", "", "created", now, "updated", now, "code_version",
       "bigpe-1"},
      {"ZADD", redis_keys::kExperiments, now, id_},
  });
}

void StateStore::replace_config(const std::map<std::string, std::string>& config_values,
                                const std::string& config_hash) {
  msgpack::sbuffer buf;
  msgpack::pack(buf, config_values);
  redis_.command({"HSET", key("meta"), "config", std::string(buf.data(), buf.size()), "config_hash", config_hash,
                  "updated", now_text()});
}

void StateStore::set_meta(const std::map<std::string, std::string>& fields) {
  if (fields.empty()) return;
  std::vector<std::string> cmd{"HSET", key("meta")};
  for (const auto& [k, v] : fields) {
    cmd.push_back(k);
    cmd.push_back(v);
  }
  redis_.command(cmd);
}

std::map<std::string, std::string> StateStore::load_meta() {
  RedisReply r = redis_.command({"HGETALL", key("meta")});
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) out[r.elements[i].str] = r.elements[i + 1].str;
  return out;
}

std::map<std::string, std::string> StateStore::load_config_values() {
  RedisReply r = redis_.command({"HGET", key("meta"), "config"});
  if (r.is_nil()) throw RedisError("experiment " + id_ + " has no stored config (" + key("meta") + ")");
  try {
    msgpack::object_handle oh = msgpack::unpack(r.str.data(), r.str.size());
    return oh.get().as<std::map<std::string, std::string>>();
  } catch (const std::exception& e) {
    throw RedisError(key("meta") + " field config is not a msgpack map: " + e.what());
  }
}

std::string StateStore::load_config_hash() {
  RedisReply r = redis_.command({"HGET", key("meta"), "config_hash"});
  return r.is_nil() ? "" : r.str;
}

std::optional<ExperimentState> StateStore::load_state() {
  RedisReply r = redis_.command({"GET", key("state")});
  if (r.is_nil()) return std::nullopt;
  return decode_state(r.str);
}

void StateStore::commit(const ExperimentState& state, int iteration,
                        const std::string& iteration_record,
                        const std::vector<InstructionRecord>& new_instructions,
                        const std::map<std::string, std::string>& event) {
  std::vector<std::vector<std::string>> cmds;
  cmds.push_back({"SET", key("state"), encode_state(state)});
  cmds.push_back({"SET", key("iter:" + std::to_string(iteration)), iteration_record});
  for (const InstructionRecord& r : new_instructions)
    cmds.push_back({"HSET", key("instr"), r.id, encode_instruction(r)});
  cmds.push_back({"HSET", key("meta"), "updated", now_text(), "iteration", std::to_string(iteration)});
  cmds.push_back(xadd(key("events"), event));
  redis_.transaction(cmds);
}

void StateStore::commit_evaluation(const ExperimentState& state, const std::string& eval_record,
                                   const std::map<std::string, std::string>& event) {
  redis_.transaction({
      {"SET", key("state"), encode_state(state)},
      {"SET", key("eval"), eval_record},
      {"HSET", key("meta"), "updated", now_text()},
      xadd(key("events"), event),
  });
}

std::optional<std::string> StateStore::load_evaluation() {
  RedisReply r = redis_.command({"GET", key("eval")});
  if (r.is_nil()) return std::nullopt;
  return r.str;
}

std::optional<std::string> StateStore::load_iteration(int iteration) {
  RedisReply r = redis_.command({"GET", key("iter:" + std::to_string(iteration))});
  if (r.is_nil()) return std::nullopt;
  return r.str;
}

void StateStore::set_status(const std::string& status, const std::string& reason) {
  redis_.pipeline({
      {"HSET", key("meta"), "status", status, "reason", reason, "updated", now_text()},
      xadd(key("events"), {{"type", "status"}, {"status", status}, {"reason", reason}}),
  });
}

void StateStore::add_event(const std::map<std::string, std::string>& event) {
  redis_.command(xadd(key("events"), event));
}

}  // namespace bigpe::engine
